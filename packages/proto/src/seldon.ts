/**
 * Seldon Core v1, package `seldon.protos`: SeldonMessage and the Model/Generic/Router/Transformer/
 * OutputTransformer/Combiner/Seldon services. Generated code lives in ./gen and is never edited.
 *
 * @example
 * ```ts
 * import { create, toJson } from "@bufbuild/protobuf";
 * import { SeldonMessageSchema } from "@tensorwire/proto/seldon";
 *
 * const message = create(SeldonMessageSchema, { dataOneof: { case: "strData", value: "hello" } });
 * toJson(SeldonMessageSchema, message); // { strData: "hello" }
 * ```
 *
 * @module
 */
export * from "./gen/seldon/protos/prediction_pb.js";
