// The TensorFlow tensor subset that Seldon Core v1's `tftensor` carries.
export * from "./gen/tensorflow/core/framework/resource_handle_pb.js";
export * from "./gen/tensorflow/core/framework/tensor_pb.js";
export * from "./gen/tensorflow/core/framework/tensor_shape_pb.js";
export * from "./gen/tensorflow/core/framework/types_pb.js";
