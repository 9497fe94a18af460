/**
 * The TensorFlow tensor subset that Seldon Core v1's `tftensor` carries. Generated code lives in
 * ./gen and is never edited.
 *
 * @example
 * ```ts
 * import { create } from "@bufbuild/protobuf";
 * import { DataType, TensorProtoSchema } from "@tensorwire/proto/tensorflow";
 *
 * const tensor = create(TensorProtoSchema, {
 *   dtype: DataType.DT_FLOAT,
 *   tensorShape: { dim: [{ size: 2n }] },
 *   floatVal: [1, 2],
 * });
 * ```
 *
 * @module
 */
export * from "./gen/tensorflow/core/framework/resource_handle_pb.js";
export * from "./gen/tensorflow/core/framework/tensor_pb.js";
export * from "./gen/tensorflow/core/framework/tensor_shape_pb.js";
export * from "./gen/tensorflow/core/framework/types_pb.js";
