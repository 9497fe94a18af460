// The "straightforward connect-node handler": connectNodeAdapter on node:http2 with a ModelInfer
// implementation doing the same ONNX call.
import * as http2 from "node:http2";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { GRPCInferenceService } from "@tensorwire/proto/oip";
import { inferMessage } from "./ort-infer.ts";

const handler = connectNodeAdapter({
  routes(router) {
    router.service(GRPCInferenceService, {
      modelInfer: (req) => inferMessage(req),
    });
  },
});
const server = http2.createServer(handler);
server.listen(0, "127.0.0.1", () => {
  console.log(`READY ${(server.address() as { port: number }).port}`);
});
process.on("SIGTERM", () => process.exit(0));
