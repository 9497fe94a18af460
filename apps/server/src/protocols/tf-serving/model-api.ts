import {
  type Datatype,
  datatypeTable,
  halfToNumber,
  invalidArgument,
  type JsonValue,
  type Tensor,
  TensorwireError,
} from "@tensorwire/codec";
import { decodeTfServingRequest, encodeTfServingResponse } from "@tensorwire/codec/tf-serving";
import type { ModelState, TensorMetadata } from "../../core/data-plane.js";
import type { ModelRef } from "../../core/infer-target.js";
import type { DialectDeps } from "../dialect.js";
import type { V1Path } from "../v1-path.js";

/**
 * TensorFlow Serving's model API over the data plane. A model's signatures are the names its config
 * lists (`signatures`, default `serving_default`), each with the model's tensors as inputs and
 * outputs; classify and regress read them off the model's outputs (see `classify`, `regress`).
 */

const defaultSignatures: readonly string[] = ["serving_default"];

/** The signature names a model answers; an unknown or unready model fails later, in the call. */
function signaturesOf(deps: DialectDeps, ref: ModelRef): readonly string[] {
  const described = deps.dataPlane.describe(ref);
  return described?.kind === "model" ? described.signatures : defaultSignatures;
}

/** The model a path names. Version labels are a TF-Serving config feature this server has none of. */
export function modelRefOf(path: V1Path): ModelRef {
  if (path.label !== undefined) {
    throw invalidArgument(`Unrecognized servable version label: ${path.label}`, { field: "label" });
  }
  return path.version === undefined ? { name: path.name } : { name: path.name, version: path.version };
}

export async function predict(deps: DialectDeps, ref: ModelRef, body: JsonValue, requestId: string) {
  const meta = deps.dataPlane.modelMetadata(ref);
  const message = decodeTfServingRequest(body, { metadata: meta.inputs });
  checkSignature(signaturesOf(deps, ref), message.signatureName);
  const response = await deps.dataPlane.infer(
    ref,
    { inputs: message.tensors },
    { requestId, protocol: "tf-serving" },
  );
  return encodeTfServingResponse(response.outputs, { format: message.format });
}

/** `{"result": [[[label, score], ...], ...]}` from the model's 2-D float output (labels: a 2-D BYTES output, else column indices). */
export async function classify(deps: DialectDeps, ref: ModelRef, body: JsonValue, requestId: string) {
  const outputs = await runExamples(deps, ref, body, requestId);
  const scores = outputs.find((t) => isFloat(t.datatype) && t.shape.length === 2);
  if (scores === undefined) {
    throw noFit(ref, "classify", "a float output of shape [-1, classes] (scores)");
  }
  const [rows = 0, classes = 0] = scores.shape;
  const labels = outputs.find((t) => t.datatype === "BYTES" && t.shape[0] === rows && t.shape[1] === classes);
  const text = new TextDecoder();
  const result: JsonValue[] = [];
  for (let r = 0; r < rows; r++) {
    const row: JsonValue[] = [];
    for (let c = 0; c < classes; c++) {
      const i = r * classes + c;
      const label = labels === undefined ? String(c) : text.decode((labels.data as Uint8Array[])[i]);
      row.push([label, floatAt(scores, i)]);
    }
    result.push(row);
  }
  return { result };
}

/** `{"result": [v, ...]}` from the model's float output of shape [-1] or [-1, 1]. */
export async function regress(deps: DialectDeps, ref: ModelRef, body: JsonValue, requestId: string) {
  const outputs = await runExamples(deps, ref, body, requestId);
  const values = outputs.find(
    (t) => isFloat(t.datatype) && (t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1)),
  );
  if (values === undefined) {
    throw noFit(ref, "regress", "a float output of shape [-1] or [-1, 1]");
  }
  return { result: Array.from({ length: values.data.length }, (_, i) => floatAt(values, i)) };
}

/** Examples (each merged with `context`) are rows of named features, one per model input. */
async function runExamples(
  deps: DialectDeps,
  ref: ModelRef,
  body: JsonValue,
  requestId: string,
): Promise<readonly Tensor[]> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidArgument("expected a JSON object with 'examples'");
  }
  const { examples, context = {}, signature_name: signature } = body;
  if (signature !== undefined && typeof signature !== "string") {
    throw invalidArgument("expected 'signature_name' to be a string", { field: "signature_name" });
  }
  checkSignature(signaturesOf(deps, ref), signature);
  if (!Array.isArray(examples) || examples.length === 0) {
    throw invalidArgument("expected 'examples' to be a non-empty list of feature objects", {
      field: "examples",
    });
  }
  if (typeof context !== "object" || context === null || Array.isArray(context)) {
    throw invalidArgument("expected 'context' to be an object of features", { field: "context" });
  }
  const rows = examples.map((example, i) => {
    if (typeof example !== "object" || example === null || Array.isArray(example)) {
      throw invalidArgument(`examples[${i}]: expected an object of features`, { field: "examples" });
    }
    for (const feature of Object.keys(context)) {
      if (Object.hasOwn(example, feature)) {
        throw invalidArgument(`examples[${i}]: feature '${feature}' is also in 'context'`, {
          field: "examples",
        });
      }
    }
    return { ...context, ...example };
  });
  const meta = deps.dataPlane.modelMetadata(ref);
  const { tensors } = decodeTfServingRequest({ instances: rows }, { metadata: meta.inputs });
  const response = await deps.dataPlane.infer(
    ref,
    { inputs: tensors },
    { requestId, protocol: "tf-serving" },
  );
  return response.outputs;
}

/** `serving_default`, or no name (which means it), is always answered, as well as the model's own names. */
function checkSignature(signatures: readonly string[], name: string | undefined): void {
  if (name !== undefined && name !== "" && name !== "serving_default" && !signatures.includes(name)) {
    throw invalidArgument(`Serving signature name: "${name}" not found in signature def`, {
      field: "signature_name",
    });
  }
}

function noFit(ref: ModelRef, verb: string, expected: string): TensorwireError {
  return new TensorwireError(
    "failed_precondition",
    `model '${ref.name}' has no output that fits ${verb}: expected ${expected}`,
  );
}

function isFloat(datatype: Datatype): boolean {
  const kind = datatypeTable[datatype].jsonKind;
  return kind === "float" || kind === "half";
}

function floatAt(tensor: Tensor, i: number): number {
  const v = tensor.data[i] as number;
  return tensor.datatype === "FP16" ? halfToNumber(v) : v;
}

/** TF-Serving's ModelVersionStatus states, by the registry's state. */
const tfStates: Readonly<Record<ModelState, string>> = {
  READY: "AVAILABLE",
  LOADING: "LOADING",
  UNLOADING: "UNLOADING",
  // A version that failed to load has ended, with its reason as the error.
  UNAVAILABLE: "END",
  UNKNOWN: "UNKNOWN",
};

/** `model_version_status` entries: every version of the model, or the one `ref` names. */
export function modelVersionStatus(deps: DialectDeps, ref: ModelRef): JsonValue[] {
  const entries = deps.dataPlane.repositoryIndex({ readyOnly: false }).filter((e) => e.name === ref.name);
  if (entries.length === 0) {
    throw new TensorwireError("not_found", `Could not find any versions of model ${ref.name}`);
  }
  const chosen = ref.version === undefined ? entries : entries.filter((e) => e.version === ref.version);
  if (chosen.length === 0) {
    throw new TensorwireError("not_found", `Could not find version ${ref.version} of model ${ref.name}`);
  }
  return chosen.map((e) => ({
    version: e.version ?? "0",
    state: tfStates[e.state],
    status:
      e.state === "UNAVAILABLE"
        ? { error_code: "UNKNOWN", error_message: e.reason }
        : { error_code: "OK", error_message: "" },
  }));
}

/** TensorFlow dtype names by OIP datatype (tensorflow/core/framework/types.proto). */
const tfDtypes: Readonly<Record<Datatype, string>> = {
  BOOL: "DT_BOOL",
  UINT8: "DT_UINT8",
  UINT16: "DT_UINT16",
  UINT32: "DT_UINT32",
  UINT64: "DT_UINT64",
  INT8: "DT_INT8",
  INT16: "DT_INT16",
  INT32: "DT_INT32",
  INT64: "DT_INT64",
  FP16: "DT_HALF",
  FP32: "DT_FLOAT",
  FP64: "DT_DOUBLE",
  BYTES: "DT_STRING",
};

/** `GetModelMetadataResponse` JSON: the model's signatures, each built from the model's metadata. */
export function modelMetadata(deps: DialectDeps, ref: ModelRef): JsonValue {
  const meta = deps.dataPlane.modelMetadata(ref);
  const version = ref.version ?? meta.versions[meta.versions.length - 1] ?? "";
  const tensorInfo = (t: TensorMetadata): JsonValue => ({
    dtype: tfDtypes[t.datatype],
    tensor_shape: { dim: t.shape.map((d) => ({ size: String(d), name: "" })), unknown_rank: false },
    name: `${t.name}:0`,
  });
  const byName = (tensors: readonly TensorMetadata[]) =>
    Object.fromEntries(tensors.map((t) => [t.name, tensorInfo(t)]));
  return {
    model_spec: { name: meta.name, signature_name: "", version },
    metadata: {
      signature_def: {
        signature_def: Object.fromEntries(
          signaturesOf(deps, ref).map((name) => [
            name,
            {
              inputs: byName(meta.inputs),
              outputs: byName(meta.outputs),
              method_name: "tensorflow/serving/predict",
            },
          ]),
        ),
      },
    },
  };
}
