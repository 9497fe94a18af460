// What limits the REST goal: node:http doing the least a JSON inference can do (JSON.parse, one
// onnxruntime-node run of iris, JSON.stringify) with no validation, routing, metrics or ids.
import * as http from "node:http";
import { irisModel } from "@tensorwire/models";
import { InferenceSession, Tensor } from "onnxruntime-node";

const session = await InferenceSession.create(irisModel().onnx);
const [inputName] = session.inputNames;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const request = JSON.parse(Buffer.concat(chunks).toString()) as {
      inputs: { shape: number[]; data: number[] }[];
    };
    const input = request.inputs[0] as { shape: number[]; data: number[] };
    session
      .run({ [inputName as string]: new Tensor("float32", Float32Array.from(input.data), input.shape) })
      .then((results) => {
        const outputs = session.outputNames.map((name) => {
          const t = results[name] as Tensor;
          return {
            name,
            datatype: t.type === "int64" ? "INT64" : "FP32",
            shape: t.dims,
            data: Array.from(t.data as ArrayLike<number | bigint>, Number),
          };
        });
        const body = Buffer.from(JSON.stringify({ model_name: "iris", model_version: "1", outputs }));
        res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
        res.end(body);
      });
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`READY ${(server.address() as { port: number }).port}`);
});
process.on("SIGTERM", () => process.exit(0));
