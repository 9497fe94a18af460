// The ceiling of the gRPC goal: a bare node:http2 stream handler doing the same work as the other
// baselines (protobuf-es decode, one onnxruntime-node run, encode) and nothing else: no routing,
// no validation, no metrics, no request ids.
import * as http2 from "node:http2";
import { frame } from "../lib/fixtures.ts";
import { inferBytes } from "./ort-infer.ts";

const server = http2.createServer();
server.on("stream", (stream) => {
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  stream.on("end", () => {
    const body = Buffer.concat(chunks).subarray(5);
    inferBytes(body).then((out) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(frame(out));
    });
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`READY ${typeof address === "object" && address !== null ? address.port : 0}`);
});
process.on("SIGTERM", () => process.exit(0));
