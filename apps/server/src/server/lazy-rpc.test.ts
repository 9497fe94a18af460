import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { createTensor } from "@tensorwire/codec";
import { decodeGrpcInferResponse, encodeGrpcInferRequest } from "@tensorwire/codec/grpc";
import { GRPCInferenceService } from "@tensorwire/proto/oip";
import { afterEach, describe, expect, it } from "vitest";
import { isRpcPath } from "../protocols/grpc/rpc-path.js";
import { type RunningServer, startServer } from "./start-server.js";

describe("isRpcPath()", () => {
  it.each([
    ["/inference.GRPCInferenceService/ModelInfer", true],
    ["/seldon.protos.Seldon/Predict", true],
    ["/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", true],
    ["/inference.GRPCInferenceService/ModelMetadata?encoding=json&message=%7B%7D", true],
    ["/v2/models/iris/infer", false],
    ["/v1/models/iris:predict", false],
    ["/api/v1.0/predictions", false],
    ["/metrics", false],
    ["/", false],
    ["/a.b/c/d", false],
  ])("%s: %s", (url, expected) => {
    expect(isRpcPath(url)).toBe(expected);
  });
});

describe("the RPC side, imported at the first RPC", () => {
  let server: RunningServer | undefined;
  afterEach(() => server?.close());

  const inferRequest = () =>
    encodeGrpcInferRequest({
      modelName: "tfsimple",
      inputs: ["INPUT0", "INPUT1"].map((name) =>
        createTensor({ name, datatype: "INT32", shape: [1, 16], data: new Int32Array(16).fill(2) }),
      ),
    });

  it.each([false, true])(
    "should answer RPCs of every protocol and REST arriving together at a new server (preloadRpc %s)",
    async (preloadRpc) => {
      server = await startServer({ preloadRpc, logLevel: "silent" });
      const url = server.url;
      const grpc = createClient(GRPCInferenceService, createGrpcTransport({ baseUrl: url }));
      const connect = createClient(
        GRPCInferenceService,
        createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
      );
      const [first, second, metadata, rest] = await Promise.all([
        grpc.modelInfer(inferRequest()),
        grpc.modelInfer(inferRequest()),
        connect.modelMetadata({ name: "tfsimple" }),
        fetch(`${url}/v2/models/tfsimple`).then((res) => res.json()),
      ]);
      for (const response of [first, second]) {
        expect(decodeGrpcInferResponse(response).outputs[0]?.data).toEqual(new Int32Array(16).fill(4));
      }
      expect(metadata.name).toBe("tfsimple");
      expect(rest).toMatchObject({ name: "tfsimple" });
      // The fast path, in place once the import is done, answers the same.
      const third = await grpc.modelInfer(inferRequest());
      expect(decodeGrpcInferResponse(third).outputs[0]?.data).toEqual(new Int32Array(16).fill(4));
    },
  );
});
