// Run by `npm run build` as dist/write-zoo.js: writes the zoo's ONNX files beside the built
// `zooModel` (dist/zoo/), so a server start reads them instead of building them.
import { mkdirSync, writeFileSync } from "node:fs";
import { zooModelNames } from "./zoo.js";
import { buildZooModel } from "./zoo-build.js";

const dir = new URL("./zoo/", import.meta.url);
mkdirSync(dir, { recursive: true });
for (const name of zooModelNames) {
  writeFileSync(new URL(`${name}.onnx`, dir), buildZooModel(name));
}
