import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { MetaSchema, Seldon, SeldonMessageSchema } from "@tensorwire/proto/seldon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferInput } from "./infer-input.js";
import { createSeldonV1Client, createSeldonV1GrpcClientFor } from "./seldon-v1-client.js";
import { type ScriptedServer, sendJson, startScriptedServer } from "./testing/scripted-server.js";

// The tensorwire server does not serve Seldon v1 yet: these servers answer with the documented shapes.

describe("Seldon v1 REST client", () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer((req, res) => {
      const body = JSON.parse(req.body.toString()) as { data?: { ndarray?: number[][] } };
      if (body.data?.ndarray?.[0]?.[0] === -1) {
        sendJson(res, 400, {
          status: { status: 1, info: "negative input", code: -1, reason: "MICROSERVICE_BAD_DATA" },
        });
        return;
      }
      sendJson(
        res,
        200,
        {
          data: { names: ["setosa", "virginica"], ndarray: [[0.25, 0.75]] },
          meta: { puid: "p-1", tags: { a: 1 } },
        },
        { "seldon-puid": "p-1" },
      );
    });
  });
  afterAll(() => server.close());

  it("should post a SeldonMessage to the executor's predictions endpoint", async () => {
    const client = createSeldonV1Client(`${server.url}/seldon/ns/iris`);
    const answer = await client.predict(inferInput("x", [1, 2], "FP64", [[1, 2]]), {
      names: ["a", "b"],
      meta: { tags: { k: "v" } },
    });
    const seen = server.seen.at(-1);
    expect(seen?.url).toBe("/seldon/ns/iris/api/v1.0/predictions");
    expect(JSON.parse(seen?.body.toString() ?? "")).toEqual({
      data: { names: ["a", "b"], ndarray: [[1, 2]] },
      meta: { tags: { k: "v" } },
    });
    expect(answer.payload).toMatchObject({
      kind: "data",
      encoding: "ndarray",
      names: ["setosa", "virginica"],
    });
    expect(answer.payload.kind === "data" && Array.from(answer.payload.tensor.data as Float64Array)).toEqual([
      0.25, 0.75,
    ]);
    expect(answer.puid).toBe("p-1");
    expect(answer.meta).toMatchObject({ tags: { a: 1 } });
    await client.close();
  });

  it("should call a microservice's /predict and report Seldon's error status", async () => {
    const client = createSeldonV1Client(server.url, { endpoint: "internal" });
    const err = await client.predict(inferInput("x", [1, 1], "FP64", [[-1]])).catch((e: unknown) => e);
    expect(server.seen.at(-1)?.url).toBe("/predict");
    expect(err).toMatchObject({
      code: "invalid_argument",
      status: 400,
      serverMessage: "MICROSERVICE_BAD_DATA: negative input",
    });
    const text = await client.predict({ kind: "strData", value: "hello" });
    expect(JSON.parse(server.seen.at(-1)?.body.toString() ?? "")).toEqual({ strData: "hello" });
    expect(text.payload.kind).toBe("data");
    await client.close();
  });
});

describe("Seldon v1 gRPC client", () => {
  let server: http2.Http2Server;
  let url: string;
  beforeAll(async () => {
    server = http2.createServer(
      connectNodeAdapter({
        routes: (router) =>
          router.service(Seldon, {
            predict: (request, context) =>
              create(SeldonMessageSchema, {
                dataOneof: request.dataOneof,
                meta: create(MetaSchema, { puid: context.requestHeader.get("x-puid") ?? "generated" }),
              }),
          }),
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  );

  it("should call seldon.protos.Seldon/Predict with a tftensor and read the answer", async () => {
    const client = createSeldonV1GrpcClientFor(url, { headers: { "x-puid": "g-1" } });
    const answer = await client.predict(
      inferInput("x", [2, 2], "INT32", [
        [1, 2],
        [3, 4],
      ]),
      { encoding: "tftensor" },
    );
    await client.close();
    expect(answer.puid).toBe("g-1");
    expect(answer.payload).toMatchObject({ kind: "data", encoding: "tftensor" });
    expect(answer.payload.kind === "data" && answer.payload.tensor.datatype).toBe("INT32");
    expect(answer.payload.kind === "data" && Array.from(answer.payload.tensor.data as Int32Array)).toEqual([
      1, 2, 3, 4,
    ]);
  });
});
