// The memory baseline: a Node process holding argv[2] onnxruntime-node sessions of the fraud model.
import { fraudModel } from "@tensorwire/models";
import { InferenceSession } from "onnxruntime-node";

const sessions: InferenceSession[] = [];
for (let i = 0; i < Number(process.argv[2] ?? 1); i++) {
  sessions.push(await InferenceSession.create(fraudModel().onnx));
}
console.log(`READY 0 ${sessions.length}`);
process.on("SIGTERM", () => process.exit(0));
setInterval(() => {}, 1 << 30);
