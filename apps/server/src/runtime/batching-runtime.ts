import { createTensor, type Tensor, TensorwireError } from "@tensorwire/codec";
import type { ModelRuntime, RuntimeInferOptions } from "../core/model-runtime.js";
import type { BatchingSpec } from "./runtime-spec.js";

/**
 * Adaptive batching in front of a runtime. Requests queue; a run takes every queued request that
 * fits (same input names, datatypes and trailing dimensions, same outputs) up to `maxBatchSize`
 * rows, concatenates them along dimension 0, runs once and hands each request its rows back.
 *
 * Adaptive: an idle model waits at most `maxQueueDelayMs` for company; while a run is in flight,
 * arrivals queue and the next run starts as soon as it ends, so batches grow with load and a lone
 * request pays at most the delay. A failed batched run is retried request by request, so one
 * request's failure never becomes its neighbours'.
 *
 * Only models whose every input and output has a variable first dimension batch; others, BYTES
 * tensors and requests larger than `maxBatchSize` run alone.
 */
export function createBatchingRuntime(inner: ModelRuntime, spec: BatchingSpec): ModelRuntime {
  let batchable = false;
  const queue: Pending[] = [];
  let running = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (): void => {
    if (running || timer !== undefined || queue.length === 0) {
      return;
    }
    const waited = Number(process.hrtime.bigint() - (queue[0] as Pending).enqueued) / 1e6;
    const queuedRows = queue.reduce((sum, p) => sum + p.rows, 0);
    const delay = queuedRows >= spec.maxBatchSize ? 0 : Math.max(0, spec.maxQueueDelayMs - waited);
    if (delay === 0) {
      // setImmediate, not now: requests whose bytes arrived in the same I/O phase join this run.
      timer = setImmediate(flush) as unknown as NodeJS.Timeout;
    } else {
      timer = setTimeout(flush, delay);
    }
  };

  const flush = (): void => {
    timer = undefined;
    const batch = takeBatch(queue, spec.maxBatchSize);
    if (batch.length === 0) {
      schedule();
      return;
    }
    running = true;
    runBatch(inner, batch).finally(() => {
      running = false;
      schedule();
    });
  };

  return {
    async load() {
      await inner.load();
      const { inputs, outputs } = inner.metadata();
      batchable =
        spec.maxBatchSize > 1 &&
        inputs.length > 0 &&
        [...inputs, ...outputs].every((t) => t.shape[0] === -1 && t.datatype !== "BYTES");
    },
    metadata: () => inner.metadata(),
    unload: () => inner.unload(),
    infer(inputs, options) {
      const rows = inputs[0]?.shape[0];
      if (
        !batchable ||
        rows === undefined ||
        rows === 0 ||
        rows > spec.maxBatchSize ||
        inputs.some((t) => t.shape[0] !== rows || t.datatype === "BYTES")
      ) {
        return inner.infer(inputs, options);
      }
      return new Promise((resolve, reject) => {
        queue.push({
          inputs,
          options,
          rows,
          key: batchKey(inputs, options.outputs),
          enqueued: process.hrtime.bigint(),
          resolve,
          reject,
        });
        schedule();
      });
    },
  };
}

interface Pending {
  readonly inputs: readonly Tensor[];
  readonly options: RuntimeInferOptions;
  readonly rows: number;
  /** Requests with equal keys can share a run. */
  readonly key: string;
  readonly enqueued: bigint;
  resolve(outputs: readonly Tensor[]): void;
  reject(err: unknown): void;
}

function batchKey(inputs: readonly Tensor[], outputs: readonly string[]): string {
  const parts = inputs.map((t) => `${t.name}\0${t.datatype}\0${t.shape.slice(1).join(",")}`).sort();
  return `${parts.join("\u0001")}\u0002${outputs.join("\u0001")}`;
}

/** Removes and returns the oldest request and every later one that fits with it; drops cancelled ones. */
function takeBatch(queue: Pending[], maxRows: number): Pending[] {
  const batch: Pending[] = [];
  let rows = 0;
  let key: string | undefined;
  for (let i = 0; i < queue.length; ) {
    const p = queue[i] as Pending;
    if (p.options.signal?.aborted) {
      queue.splice(i, 1);
      p.reject(new TensorwireError("cancelled", "the request was cancelled while queued for a batch"));
      continue;
    }
    if ((key === undefined || p.key === key) && rows + p.rows <= maxRows) {
      key = p.key;
      rows += p.rows;
      batch.push(p);
      queue.splice(i, 1);
      continue;
    }
    i++;
  }
  return batch;
}

async function runBatch(inner: ModelRuntime, batch: readonly Pending[]): Promise<void> {
  const start = process.hrtime.bigint();
  const first = batch[0] as Pending;
  const rows = batch.reduce((sum, p) => sum + p.rows, 0);
  const report = (p: Pending) => p.options.report?.({ queueNs: Number(start - p.enqueued), batchSize: rows });
  if (batch.length === 1) {
    report(first);
    await inner.infer(first.inputs, first.options).then(first.resolve, first.reject);
    return;
  }
  let outputs: readonly Tensor[];
  try {
    const inputs = first.inputs.map((t) =>
      concat(
        t,
        batch.map((p) => p.inputs.find((u) => u.name === t.name) as Tensor),
        rows,
      ),
    );
    outputs = await inner.infer(inputs, { outputs: first.options.outputs });
    if (!outputs.every((t) => t.shape[0] === rows)) {
      throw new TensorwireError("internal", "an output's first dimension is not the batch's");
    }
  } catch {
    // One request may be the cause: run each alone, so every request gets its own answer.
    for (const p of batch) {
      report(p);
      await inner.infer(p.inputs, p.options).then(p.resolve, p.reject);
    }
    return;
  }
  let row = 0;
  for (const p of batch) {
    report(p);
    try {
      p.resolve(outputs.map((t) => rowsOf(t, row, p.rows)));
    } catch (err) {
      p.reject(err);
    }
    row += p.rows;
  }
}

type NumericData = Exclude<Tensor["data"], readonly Uint8Array[]>;

function concat(like: Tensor, parts: readonly Tensor[], rows: number): Tensor {
  const source = like.data as NumericData;
  const Ctor = source.constructor as new (length: number) => NumericData;
  const rowSize = like.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = new Ctor(rows * rowSize);
  let at = 0;
  for (const part of parts) {
    (data as Float32Array).set(part.data as Float32Array, at);
    at += (part.data as NumericData).length;
  }
  return createTensor({
    name: like.name,
    datatype: like.datatype,
    shape: [rows, ...like.shape.slice(1)],
    data,
    parameters: like.parameters,
  });
}

/** Rows [from, from + count) of a tensor: a view, no copy. */
function rowsOf(tensor: Tensor, from: number, count: number): Tensor {
  const rowSize = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = (tensor.data as Float32Array).subarray(from * rowSize, (from + count) * rowSize);
  return createTensor({
    name: tensor.name,
    datatype: tensor.datatype,
    shape: [count, ...tensor.shape.slice(1)],
    data: data as unknown as Tensor["data"],
    parameters: tensor.parameters,
  });
}
