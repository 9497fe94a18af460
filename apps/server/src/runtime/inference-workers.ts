import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { createTensor, type ErrorCode, errorStatus, type Tensor, TensorwireError } from "@tensorwire/codec";
import type { InferenceSession } from "onnxruntime-node";
import { workerExecArgv } from "../core/node-flags.js";

/**
 * A pool of worker threads that run ONNX Runtime sessions, so that a long `run()` (synchronous on
 * its thread in onnxruntime-node) never stalls the event loop: health checks, other models' small
 * requests and I/O keep flowing. Every worker holds a session of every model opened on the pool
 * (memory × threads); a run goes to the worker with the fewest runs in flight.
 *
 * Data crosses threads by structured clone: an input that is a view over part of a larger buffer
 * (a request body) is copied once; outputs are moved back without a copy where ONNX Runtime's
 * buffers allow it.
 */
export interface InferenceWorkers {
  readonly threads: number;
  /** Creates a session of the model on every worker. */
  open(model: Uint8Array | string): Promise<WorkerSession>;
  /** Ends the workers; sessions still open are dropped with them. */
  close(): Promise<void>;
}

export interface WorkerSession {
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];
  run(inputs: readonly Tensor[], outputs: readonly string[]): Promise<Tensor[]>;
  release(): Promise<void>;
}

export interface InferenceWorkersOptions {
  /** Worker threads. Default: one per core but one, at least one (the event loop keeps a core). */
  readonly threads: number;
}

export function makeInferenceWorkersOptions(
  options: Partial<InferenceWorkersOptions> = {},
): InferenceWorkersOptions {
  return { threads: options.threads ?? Math.max(1, availableParallelism() - 1) };
}

interface Slot {
  readonly worker: Worker;
  inFlight: number;
  readonly calls: Map<number, { resolve(value: unknown): void; reject(err: unknown): void }>;
}

// Under the test runner this module is TypeScript source, and so is its worker (Node strips types).
const workerUrl = new URL(
  import.meta.url.endsWith(".ts") ? "./ort-worker.ts" : "./ort-worker.js",
  import.meta.url,
);

export function createInferenceWorkers(partial: Partial<InferenceWorkersOptions> = {}): InferenceWorkers {
  const { threads } = makeInferenceWorkersOptions(partial);
  let nextCall = 0;
  let nextSession = 0;
  let closed = false;
  const slots: Slot[] = Array.from({ length: threads }, () => {
    const slot: Slot = {
      worker: new Worker(workerUrl, { execArgv: workerExecArgv() }),
      inFlight: 0,
      calls: new Map(),
    };
    slot.worker.on("message", (msg: { call: number; ok: boolean; value?: unknown; error?: WireError }) => {
      const pending = slot.calls.get(msg.call);
      slot.calls.delete(msg.call);
      slot.inFlight -= 1;
      if (slot.calls.size === 0) {
        slot.worker.unref();
      }
      if (msg.ok) {
        pending?.resolve(msg.value);
      } else {
        pending?.reject(errorFrom(msg.error as WireError));
      }
    });
    slot.worker.on("error", (err) => failAll(slot, err));
    slot.worker.on("exit", (code) => {
      if (!closed) {
        failAll(slot, new TensorwireError("internal", `an inference worker exited with code ${code}`));
      }
    });
    // Idle workers must not keep the process alive; busy ones must (see `call`).
    slot.worker.unref();
    return slot;
  });

  const call = <T>(
    slot: Slot,
    message: Record<string, unknown>,
    transfer: ArrayBuffer[] = [],
  ): Promise<T> => {
    if (closed) {
      return Promise.reject(new TensorwireError("unavailable", "the inference workers are closed"));
    }
    const id = nextCall++;
    slot.inFlight += 1;
    slot.worker.ref();
    return new Promise<T>((resolve, reject) => {
      slot.calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ ...message, call: id }, transfer);
    });
  };

  return {
    threads,
    async open(model) {
      const id = nextSession++;
      const loaded = await Promise.allSettled(
        slots.map((slot) =>
          call<{ inputs: InferenceSession.ValueMetadata[]; outputs: InferenceSession.ValueMetadata[] }>(
            slot,
            {
              kind: "load",
              id,
              model,
            },
          ),
        ),
      );
      const failed = loaded.find((r) => r.status === "rejected");
      const release = () =>
        Promise.allSettled(slots.map((slot) => call(slot, { kind: "unload", id }))).then(() => {});
      if (failed !== undefined) {
        await release();
        throw failed.reason;
      }
      const meta = (
        loaded[0] as PromiseFulfilledResult<{
          inputs: InferenceSession.ValueMetadata[];
          outputs: InferenceSession.ValueMetadata[];
        }>
      ).value;
      return {
        inputMetadata: meta.inputs,
        outputMetadata: meta.outputs,
        async run(inputs, outputs) {
          const slot = slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
          const transfer: ArrayBuffer[] = [];
          const wire = inputs.map((t) => {
            const data = t.data;
            // Only a buffer that is wholly this tensor's may move: a larger one is shared with others.
            if (
              ArrayBuffer.isView(data) &&
              data.buffer instanceof ArrayBuffer &&
              data.byteLength === data.buffer.byteLength &&
              data.byteLength > 0
            ) {
              transfer.push(data.buffer);
            }
            return { name: t.name, datatype: t.datatype, shape: t.shape, data };
          });
          const produced = await call<
            { name: string; datatype: string; shape: number[]; data: Tensor["data"] }[]
          >(slot, { kind: "run", id, inputs: wire, outputs }, transfer);
          return produced.map((t) => createTensor(t));
        },
        release,
      };
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

interface WireError {
  readonly message: string;
  readonly code?: unknown;
}

function errorFrom(error: WireError): TensorwireError {
  const code =
    typeof error.code === "string" && Object.hasOwn(errorStatus, error.code)
      ? (error.code as ErrorCode)
      : "internal";
  return new TensorwireError(code, error.message);
}

function failAll(slot: Slot, err: unknown): void {
  for (const pending of slot.calls.values()) {
    pending.reject(TensorwireError.from(err));
  }
  slot.calls.clear();
  slot.inFlight = 0;
}
