// The baseline of the gRPC goal: a minimal @grpc/grpc-js server doing the same ONNX call.
import * as grpc from "@grpc/grpc-js";
import { inferBytes } from "./ort-infer.ts";

const server = new grpc.Server();
const identity = (b: Buffer) => b;
server.addService(
  {
    modelInfer: {
      path: "/inference.GRPCInferenceService/ModelInfer",
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  {
    modelInfer: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      inferBytes(call.request).then(
        (out) => callback(null, Buffer.from(out.buffer, out.byteOffset, out.byteLength)),
        (err: Error) => callback(err),
      );
    },
  },
);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    throw err;
  }
  console.log(`READY ${port}`);
});
process.on("SIGTERM", () => process.exit(0));
