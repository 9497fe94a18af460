// A test file's cost of an in-process server, in a fresh process: import @tensorwire/server (the
// built package), startServer({ port: 0 }) with the default zoo, one REST inference by fetch, close.
// Prints the phases in milliseconds as JSON. With `--rpc <base64 gRPC frame>`, the first inference
// is that gRPC call instead (sent over node:http2, so this process loads no protobuf of its own), and
// a second call is timed too: the first waits for the server's RPC side to be imported.
import { connect } from "node:http2";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { rpc: { type: "string" } } });

const t0 = performance.now();
const { startServer } = await import("@tensorwire/server");
const t1 = performance.now();
const server = await startServer({ port: 0 });
const t2 = performance.now();
let second: number | undefined;
if (values.rpc === undefined) {
  const res = await fetch(`${server.url}/v2/models/iris/infer`, {
    method: "POST",
    body: JSON.stringify({
      inputs: [{ name: "input", shape: [1, 4], datatype: "FP32", data: [5.1, 3.5, 1.4, 0.2] }],
    }),
  });
  const body = (await res.json()) as { outputs: { data: number[] }[] };
  if (body.outputs[0]?.data[0] !== 0) {
    throw new Error(`unexpected answer ${JSON.stringify(body)}`);
  }
} else {
  const frame = Buffer.from(values.rpc, "base64");
  const session = connect(server.url);
  const call = () =>
    new Promise<void>((resolve, reject) => {
      const stream = session.request({
        ":method": "POST",
        ":path": "/inference.GRPCInferenceService/ModelInfer",
        "content-type": "application/grpc",
        te: "trailers",
      });
      stream.on("trailers", (trailers) =>
        trailers["grpc-status"] === "0"
          ? resolve()
          : reject(new Error(`grpc-status ${trailers["grpc-status"]} ${trailers["grpc-message"]}`)),
      );
      stream.on("error", reject);
      stream.resume();
      stream.end(frame);
    });
  await call();
  const s = performance.now();
  await call();
  second = performance.now() - s;
  session.close();
}
const t3 = performance.now();
await server.close();
const t4 = performance.now();
console.log(
  JSON.stringify({
    import: t1 - t0,
    start: t2 - t1,
    infer: t3 - t2 - (second ?? 0),
    close: t4 - t3,
    total: t4 - t0 - (second ?? 0),
    ...(second === undefined ? {} : { second }),
  }),
);
