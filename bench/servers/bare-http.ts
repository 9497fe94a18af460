// The REST ceiling: node:http answering a fixed JSON body of the size of an iris response.
import * as http from "node:http";

const body = Buffer.from(
  JSON.stringify({
    model_name: "iris",
    model_version: "1",
    outputs: [
      { name: "predict", datatype: "INT64", shape: [1], data: [0] },
      { name: "predict_proba", datatype: "FP32", shape: [1, 3], data: [0.9, 0.05, 0.05] },
    ],
  }),
);
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`READY ${(server.address() as { port: number }).port}`);
});
process.on("SIGTERM", () => process.exit(0));
