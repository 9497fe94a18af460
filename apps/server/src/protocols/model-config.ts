import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Datatype, JsonValue } from "@tensorwire/codec";
import { DataType, type ModelConfigSchema, ModelInstanceGroup_Kind } from "@tensorwire/proto/oip";
import type { DataPlane, TensorMetadata } from "../core/data-plane.js";
import type { InferTarget } from "../core/infer-target.js";

/**
 * Triton's model configuration extension (REST `GET /v2/models/{m}[/versions/{v}]/config`, gRPC
 * `ModelConfig`): a configuration describing what the server runs, built from the target's
 * metadata and description. With `max_batch_size` above 0 the batch dimension (dimension 0, -1 in
 * metadata) is left out of `dims`, as Triton writes them; otherwise `dims` are the full shapes.
 * Every model runs as one CPU instance; `version_policy` counts the ready versions.
 */
export interface ModelConfigView {
  readonly name: string;
  readonly platform: string;
  readonly backend: string;
  readonly maxBatchSize: number;
  readonly versions: number;
  readonly inputs: readonly TensorView[];
  readonly outputs: readonly TensorView[];
  readonly defaultModelFilename: string;
}

interface TensorView {
  readonly name: string;
  readonly dataType: keyof typeof DataType;
  readonly dims: readonly number[];
}

/** The configuration of a target; throws not_found for an unknown one, as metadata does. */
export function modelConfigView(dataPlane: DataPlane, target: InferTarget): ModelConfigView {
  const meta = dataPlane.modelMetadata(target);
  const described = dataPlane.describe(target);
  const maxBatchSize = described?.kind === "model" ? described.maxBatchSize : 0;
  const tensor = (t: TensorMetadata): TensorView => ({
    name: t.name,
    dataType: tritonDataType[t.datatype],
    dims: maxBatchSize > 0 ? t.shape.slice(1) : [...t.shape],
  });
  const onnx = meta.platform === "onnxruntime_onnx";
  return {
    name: meta.name,
    platform: meta.platform,
    // Triton names the backend beside the platform; a mock runtime is its own backend.
    backend: onnx ? "onnxruntime" : meta.platform,
    maxBatchSize,
    versions: Math.max(meta.versions.length, 1),
    inputs: meta.inputs.map(tensor),
    outputs: meta.outputs.map(tensor),
    defaultModelFilename: onnx ? "model.onnx" : "",
  };
}

/** The configuration as Triton's REST JSON: proto field names, enum names, dims as numbers. */
export function modelConfigJson(view: ModelConfigView): JsonValue {
  return {
    name: view.name,
    platform: view.platform,
    backend: view.backend,
    version_policy: { latest: { num_versions: view.versions } },
    max_batch_size: view.maxBatchSize,
    input: view.inputs.map((t) => ({
      name: t.name,
      data_type: t.dataType,
      format: "FORMAT_NONE",
      dims: [...t.dims],
      is_shape_tensor: false,
      allow_ragged_batch: false,
      optional: false,
    })),
    output: view.outputs.map((t) => ({
      name: t.name,
      data_type: t.dataType,
      dims: [...t.dims],
      label_filename: "",
      is_shape_tensor: false,
    })),
    batch_input: [],
    batch_output: [],
    instance_group: [{ name: `${view.name}_0`, kind: "KIND_CPU", count: 1, gpus: [] }],
    default_model_filename: view.defaultModelFilename,
    parameters: {},
  };
}

/** The configuration as the gRPC `ModelConfig` message. */
export function modelConfigMessage(view: ModelConfigView): MessageInitShape<typeof ModelConfigSchema> {
  const tensor = (t: TensorView) => ({
    name: t.name,
    dataType: DataType[t.dataType],
    dims: t.dims.map(BigInt),
  });
  return {
    name: view.name,
    platform: view.platform,
    backend: view.backend,
    versionPolicy: { policyChoice: { case: "latest", value: { numVersions: view.versions } } },
    maxBatchSize: view.maxBatchSize,
    input: view.inputs.map(tensor),
    output: view.outputs.map(tensor),
    instanceGroup: [{ name: `${view.name}_0`, kind: ModelInstanceGroup_Kind.CPU, count: 1 }],
    defaultModelFilename: view.defaultModelFilename,
  };
}

// Triton's config names for the OIP datatypes; BYTES is TYPE_STRING.
const tritonDataType: Readonly<Record<Datatype, keyof typeof DataType>> = {
  BOOL: "TYPE_BOOL",
  UINT8: "TYPE_UINT8",
  UINT16: "TYPE_UINT16",
  UINT32: "TYPE_UINT32",
  UINT64: "TYPE_UINT64",
  INT8: "TYPE_INT8",
  INT16: "TYPE_INT16",
  INT32: "TYPE_INT32",
  INT64: "TYPE_INT64",
  FP16: "TYPE_FP16",
  FP32: "TYPE_FP32",
  FP64: "TYPE_FP64",
  BYTES: "TYPE_STRING",
};
