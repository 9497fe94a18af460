// The baseline of tensorwire.ts, the least an in-process ONNX server can do, in a fresh process:
// import node:http and onnxruntime-node, create one session (the same iris bytes the zoo serves)
// and listen on port 0; one fetch whose handler does JSON.parse → run → JSON.stringify; close the
// server and release the session. Prints the same phases as JSON.
import { readFileSync } from "node:fs";

const iris = readFileSync(new URL("../../packages/models/dist/zoo/iris.onnx", import.meta.url));

const t0 = performance.now();
const [http, { InferenceSession, Tensor }] = await Promise.all([
  import("node:http"),
  import("onnxruntime-node"),
]);
const t1 = performance.now();
const session = await InferenceSession.create(iris);
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    const { inputs } = JSON.parse(Buffer.concat(chunks).toString()) as {
      inputs: { shape: number[]; data: number[] }[];
    };
    const input = inputs[0] as { shape: number[]; data: number[] };
    const results = await session.run({
      input: new Tensor("float32", Float32Array.from(input.data), input.shape),
    });
    const outputs = Object.entries(results).map(([name, t]) => ({
      name,
      shape: t.dims,
      data: Array.from(t.data as ArrayLike<number | bigint>, Number),
    }));
    res.end(JSON.stringify({ outputs }));
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const t2 = performance.now();
const { port } = server.address() as { port: number };
const res = await fetch(`http://127.0.0.1:${port}/v2/models/iris/infer`, {
  method: "POST",
  body: JSON.stringify({
    inputs: [{ name: "input", shape: [1, 4], datatype: "FP32", data: [5.1, 3.5, 1.4, 0.2] }],
  }),
});
const body = (await res.json()) as { outputs: { name: string; data: number[] }[] };
if (body.outputs.find((o) => o.name === "predict")?.data[0] !== 0) {
  throw new Error(`unexpected answer ${JSON.stringify(body)}`);
}
const t3 = performance.now();
server.closeAllConnections();
await new Promise((resolve) => server.close(resolve));
await session.release();
const t4 = performance.now();
console.log(
  JSON.stringify({ import: t1 - t0, start: t2 - t1, infer: t3 - t2, close: t4 - t3, total: t4 - t0 }),
);
