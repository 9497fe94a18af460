/**
 * The default zoo's models as ONNX bytes, by name, read from the files `npm run build` writes;
 * `@tensorwire/server` serves them.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { type Datatype, datatypes } from "@tensorwire/codec";
import type { ZooModelName } from "./zoo-build.js";

export type { ZooModelName } from "./zoo-build.js";

/** The ONNX models of the default zoo, `identity_<datatype>` for every datatype among them. */
export const zooModelNames: readonly ZooModelName[] = [
  "iris",
  "tfsimple",
  "fraud",
  "ccfraud",
  "simple_string",
  "simple_int8",
  "mnist",
  "kserve_example",
  "mixed_outputs",
  ...datatypes.map((datatype) => `identity_${datatype.toLowerCase() as Lowercase<Datatype>}` as const),
];

/**
 * A zoo model's ONNX bytes. `npm run build` writes every zoo model beside the built module
 * (`dist/zoo/<name>.onnx`, made by this package's code and never committed), so a server start
 * reads bytes instead of training iris; run from source, as the tests run, the model is built now,
 * with the same bytes (iris trains with a fixed seed).
 *
 * @example
 * ```ts
 * import { zooModel } from "@tensorwire/models/zoo";
 * import { InferenceSession } from "onnxruntime-node";
 *
 * const session = await InferenceSession.create(await zooModel("iris"));
 * ```
 */
export async function zooModel(name: ZooModelName): Promise<Uint8Array> {
  if (!zooModelNames.includes(name)) {
    throw new Error(`no zoo model '${name}'; expected one of ${zooModelNames.join(", ")}`);
  }
  let bytes: Buffer;
  try {
    // Synchronous: a start reads a dozen files of a few hundred bytes, in less than a millisecond.
    bytes = readFileSync(new URL(`./zoo/${name}.onnx`, import.meta.url));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw err;
    }
    const { buildZooModel } = await import("./zoo-build.js");
    return buildZooModel(name);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
