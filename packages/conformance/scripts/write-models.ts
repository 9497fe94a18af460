// Writes the conformance models to packages/conformance/models/: for each, `1/model.onnx`, a Triton
// `config.pbtxt` and an MLServer `model-settings.json`. The output is committed; a test checks it
// equals what this script produces. Run: `npm run write-models -w @tensorwire/conformance`
// (needs @tensorwire/models built, as `node` reads its dist/).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  addSubModel,
  identityModel,
  mixedOutputsModel,
  type OnnxModel,
  type TensorSpec,
  tfsimpleModel,
} from "@tensorwire/models";
import { type Datatype, datatypes } from "../src/datatype-table.js";

/** A model of the suite: its name, ONNX graph, and the MLServer class of mlserver/conformance_runtime.py. */
interface ConformanceModel {
  readonly name: string;
  readonly model: OnnxModel;
  readonly mlserverClass: "IdentityModel" | "AddSubModel" | "MixedOutputsModel";
}

/** Names match tensorwire's default zoo where it has the model, so the suite needs no repository there. */
export function conformanceModels(): ConformanceModel[] {
  return [
    ...datatypes.map((dt: Datatype) => ({
      name: `identity_${dt.toLowerCase()}`,
      model: identityModel(dt),
      mlserverClass: "IdentityModel" as const,
    })),
    { name: "tfsimple", model: tfsimpleModel(), mlserverClass: "AddSubModel" },
    { name: "add_sub_fp32", model: addSubModel("FP32"), mlserverClass: "AddSubModel" },
    { name: "mixed_outputs", model: mixedOutputsModel(), mlserverClass: "MixedOutputsModel" },
  ];
}

// Triton's config names for the OIP datatypes (model_config.proto DataType); BYTES is TYPE_STRING.
const tritonType: Readonly<Record<Datatype, string>> = {
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

function pbtxtTensors(kind: "input" | "output", tensors: readonly TensorSpec[]): string {
  const items = tensors.map(
    (t) =>
      `  {\n    name: "${t.name}"\n    data_type: ${tritonType[t.datatype]}\n    dims: [ ${t.shape.join(", ")} ]\n  }`,
  );
  return `${kind} [\n${items.join(",\n")}\n]\n`;
}

/**
 * Triton config: the ONNX Runtime backend with `max_batch_size: 0`, so `dims` are the full shapes
 * including the -1 batch dimension, exactly what model metadata reports.
 */
export function tritonConfig(m: ConformanceModel): string {
  return [
    `name: "${m.name}"`,
    'backend: "onnxruntime"',
    "max_batch_size: 0",
    pbtxtTensors("input", m.model.inputs) + pbtxtTensors("output", m.model.outputs),
  ].join("\n");
}

/**
 * MLServer settings. MLServer has no ONNX runtime in its default set, so these point at the numpy
 * runtime in mlserver/conformance_runtime.py, a test fixture that computes the same functions.
 */
export function mlserverSettings(m: ConformanceModel): string {
  const tensor = (t: TensorSpec) => ({ name: t.name, datatype: t.datatype, shape: t.shape });
  const settings = {
    name: m.name,
    implementation: `conformance_runtime.${m.mlserverClass}`,
    platform: "numpy_conformance",
    versions: ["1"],
    inputs: m.model.inputs.map(tensor),
    outputs: m.model.outputs.map(tensor),
    parameters: { version: "1" },
  };
  return `${JSON.stringify(settings, null, 2)}\n`;
}

/**
 * tensorwire reads `config.yaml`. ONNX Runtime's string tensors hold UTF-8 C strings (no NUL, no
 * arbitrary bytes) while OIP BYTES are any bytes, so tensorwire serves identity_bytes with its echo
 * runtime, as its default zoo does; Triton and MLServer ignore this file.
 */
const bytesIdentityForTensorwire = `# tensorwire: ONNX Runtime string tensors cannot carry arbitrary bytes, so echo instead of model.onnx.
runtime: echo
inputs:
  - name: INPUT0
    datatype: BYTES
    shape: [-1, -1]
rename:
  INPUT0: OUTPUT0
`;

/** Every file under models/, path → contents. */
export function modelFiles(): Map<string, Uint8Array | string> {
  const files = new Map<string, Uint8Array | string>();
  for (const m of conformanceModels()) {
    files.set(`${m.name}/1/model.onnx`, m.model.onnx);
    files.set(`${m.name}/config.pbtxt`, tritonConfig(m));
    files.set(`${m.name}/model-settings.json`, mlserverSettings(m));
  }
  files.set("identity_bytes/config.yaml", bytesIdentityForTensorwire);
  return files;
}

export const modelsDir = fileURLToPath(new URL("../models", import.meta.url));

if (import.meta.main) {
  rmSync(modelsDir, { recursive: true, force: true });
  for (const [path, contents] of modelFiles()) {
    const file = join(modelsDir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
  console.log(`wrote ${modelFiles().size} files to ${modelsDir}`);
}
