import { type Datatype, type Tensor, TensorwireError } from "@tensorwire/codec";
import { tensorFromOrt, tensorToOrt } from "@tensorwire/codec/ort";
import { InferenceSession, type Tensor as OrtTensor } from "onnxruntime-node";
import type { TensorMetadata } from "../core/data-plane.js";
import type { ModelRuntime, RuntimeInferOptions, RuntimeMetadata } from "../core/model-runtime.js";
import type { OnnxRuntimeSpec } from "./runtime-spec.js";

// The inverse of the codec's datatype → ORT type table, for model metadata; ORT types with no OIP
// datatype (bfloat16, int4, float8…) make the model unservable rather than mislabelled.
const datatypeOfOrtType: Readonly<Partial<Record<OrtTensor.Type, Datatype>>> = {
  bool: "BOOL",
  uint8: "UINT8",
  uint16: "UINT16",
  uint32: "UINT32",
  uint64: "UINT64",
  int8: "INT8",
  int16: "INT16",
  int32: "INT32",
  int64: "INT64",
  float16: "FP16",
  float32: "FP32",
  float64: "FP64",
  string: "BYTES",
};

/**
 * A loaded model either way it runs: in-thread (onnxruntime-node's `run()` blocks the event loop
 * for its duration, the fastest for tiny models) or on the worker threads of `spec.workers`.
 */
interface Session {
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];
  run(inputs: readonly Tensor[], outputs: readonly string[]): Promise<readonly Tensor[]>;
  release(): Promise<void>;
}

/**
 * ORT's default intra-op pool (a thread per core), without spinning: idle pool threads wait on a
 * condition instead of busy-polling for the next run (ORT's `session.intra_op.allow_spinning`,
 * https://onnxruntime.ai/docs/performance/tune-performance/threading.html). Spinning threads take
 * CPU from the event loop between requests, and a session cannot be released until its spinning
 * threads notice: measured, releasing the default zoo's 15 sessions took 100-200 ms with spinning
 * and 2 ms without, which a server's `close()` waited out.
 */
const inThreadSessionOptions: InferenceSession.SessionOptions = {
  extra: { session: { intra_op: { allow_spinning: "0" } } },
};

async function inThreadSession(model: Uint8Array | string): Promise<Session> {
  const session =
    typeof model === "string"
      ? await InferenceSession.create(model, inThreadSessionOptions)
      : await InferenceSession.create(model, inThreadSessionOptions);
  return {
    inputMetadata: session.inputMetadata,
    outputMetadata: session.outputMetadata,
    async run(inputs, outputs) {
      const feeds: Record<string, OrtTensor> = {};
      for (const input of inputs) {
        feeds[input.name] = tensorToOrt(input);
      }
      // Passing the fetch list makes ORT compute only what was asked for.
      const results = await session.run(feeds, [...outputs]);
      return outputs.map((name) => {
        const value = results[name];
        if (value === undefined) {
          throw new TensorwireError("internal", `ONNX Runtime returned no output '${name}'`, {
            tensor: name,
          });
        }
        return tensorFromOrt(name, value);
      });
    },
    release: () => session.release(),
  };
}

/** Serves an ONNX model with onnxruntime-node; names, datatypes and shapes come from the model. */
export function createOnnxRuntime(spec: OnnxRuntimeSpec): ModelRuntime {
  let session: Session | undefined;
  let meta: RuntimeMetadata | undefined;
  return {
    async load() {
      const created =
        spec.workers === undefined ? await inThreadSession(spec.model) : await spec.workers.open(spec.model);
      try {
        meta = {
          platform: "onnxruntime_onnx",
          inputs: created.inputMetadata.map(tensorMetadata),
          outputs: created.outputMetadata.map(tensorMetadata),
        };
      } catch (err) {
        await created.release();
        throw err;
      }
      session = created;
    },
    metadata() {
      if (meta === undefined) {
        throw new TensorwireError("unavailable", "ONNX model is not loaded");
      }
      return meta;
    },
    infer(inputs: readonly Tensor[], options: RuntimeInferOptions) {
      if (session === undefined) {
        return Promise.reject(new TensorwireError("unavailable", "ONNX model is not loaded"));
      }
      return session.run(inputs, options.outputs);
    },
    async unload() {
      const current = session;
      session = undefined;
      await current?.release();
    },
  };
}

function tensorMetadata(value: InferenceSession.ValueMetadata): TensorMetadata {
  if (!value.isTensor) {
    throw new TensorwireError(
      "failed_precondition",
      `ONNX value '${value.name}' is not a tensor (sequence or map)`,
      {
        tensor: value.name,
      },
    );
  }
  const datatype = datatypeOfOrtType[value.type];
  if (datatype === undefined) {
    throw new TensorwireError(
      "failed_precondition",
      `ONNX tensor '${value.name}' has element type '${value.type}', which has no OIP datatype`,
      { tensor: value.name },
    );
  }
  // Symbolic dimensions ("batch") and unknown ones are variable: -1 in OIP metadata.
  const shape = value.shape.map((dim) => (typeof dim === "number" && dim >= 0 ? dim : -1));
  return { name: value.name, datatype, shape };
}
