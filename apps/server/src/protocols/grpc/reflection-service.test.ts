import { create, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { v1, v1alpha } from "@tensorwire/proto/reflection";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server/start-server.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ models: [] });
});
afterAll(() => server.close());

type Question = v1.ServerReflectionRequest["messageRequest"];

/** Sends the questions on one stream, as grpcurl does, and returns the answers in order. */
async function ask(version: "v1" | "v1alpha", questions: Question[]) {
  const transport = createGrpcTransport({ baseUrl: server.url });
  const answers = [];
  if (version === "v1") {
    const client = createClient(v1.ServerReflection, transport);
    async function* requests() {
      for (const q of questions) {
        yield create(v1.ServerReflectionRequestSchema, { host: "localhost", messageRequest: q });
      }
    }
    for await (const res of client.serverReflectionInfo(requests())) {
      answers.push(res);
    }
  } else {
    const client = createClient(v1alpha.ServerReflection, transport);
    async function* requests() {
      for (const q of questions) {
        yield create(v1alpha.ServerReflectionRequestSchema, {
          host: "localhost",
          messageRequest: q as v1alpha.ServerReflectionRequest["messageRequest"],
        });
      }
    }
    for await (const res of client.serverReflectionInfo(requests())) {
      answers.push(res);
    }
  }
  return answers;
}

describe.each(["v1", "v1alpha"] as const)("ServerReflection %s", (version) => {
  it("should list the services", async () => {
    const [answer] = await ask(version, [{ case: "listServices", value: "" }]);
    expect(answer?.validHost).toBe("localhost");
    expect(answer?.messageResponse.case).toBe("listServicesResponse");
    const names =
      answer?.messageResponse.case === "listServicesResponse"
        ? answer.messageResponse.value.service.map((s) => s.name)
        : [];
    expect(names).toEqual([
      "inference.GRPCInferenceService",
      "seldon.protos.Model",
      "seldon.protos.Generic",
      "seldon.protos.Router",
      "seldon.protos.Transformer",
      "seldon.protos.OutputTransformer",
      "seldon.protos.Combiner",
      "seldon.protos.Seldon",
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
    ]);
  });

  it.each([
    ["a service", "inference.GRPCInferenceService"],
    ["a method", "inference.GRPCInferenceService.ModelInfer"],
    ["a message", "inference.ModelInferRequest"],
    ["a nested message", "inference.ModelInferRequest.InferInputTensor"],
  ])("should find the file declaring %s", async (_, symbol) => {
    const [answer] = await ask(version, [{ case: "fileContainingSymbol", value: symbol }]);
    expect(answer?.messageResponse.case).toBe("fileDescriptorResponse");
    if (answer?.messageResponse.case === "fileDescriptorResponse") {
      const files = answer.messageResponse.value.fileDescriptorProto.map((b) =>
        fromBinary(FileDescriptorProtoSchema, b),
      );
      expect(files[0]?.name).toBe("inference/grpc_service.proto");
      expect(files[0]?.service[0]?.method.map((m) => m.name)).toContain("ModelStreamInfer");
    }
  });

  it("should answer file_by_filename and errors on one stream", async () => {
    const answers = await ask(version, [
      { case: "fileByFilename", value: "grpc/reflection/v1/reflection.proto" },
      { case: "fileByFilename", value: "nope.proto" },
      { case: "fileContainingSymbol", value: "nope.Nope" },
      {
        case: "fileContainingExtension",
        value: create(v1.ExtensionRequestSchema, { containingType: "x", extensionNumber: 1 }),
      },
      { case: "allExtensionNumbersOfType", value: "inference.ModelInferRequest" },
    ]);
    expect(answers.map((a) => a.messageResponse.case)).toEqual([
      "fileDescriptorResponse",
      "errorResponse",
      "errorResponse",
      "errorResponse",
      "allExtensionNumbersResponse",
    ]);
    const error = answers[1]?.messageResponse;
    expect(error?.case === "errorResponse" && error.value.errorCode).toBe(5);
  });
});
