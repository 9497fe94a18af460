/**
 * ONNX's model format (the subset needed to build and inspect models from TypeScript). Generated
 * code lives in ./gen and is never edited.
 *
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import { fromBinary } from "@bufbuild/protobuf";
 * import { ModelProtoSchema } from "@tensorwire/proto/onnx";
 *
 * const model = fromBinary(ModelProtoSchema, await readFile("model.onnx"));
 * console.log(model.graph?.input.map((input) => input.name));
 * ```
 *
 * @module
 */
export * from "./gen/onnx/onnx_pb.js";
