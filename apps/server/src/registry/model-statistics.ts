import type { Duration, ModelStatistics } from "../core/data-plane.js";

/** The durations of one successful request's phases, in nanoseconds. */
export interface RequestTimings {
  readonly batchSize: number;
  readonly totalNs: number;
  /** Time queued for a batch; absent means 0. */
  readonly queueNs?: number;
  readonly computeInputNs: number;
  readonly computeInferNs: number;
  readonly computeOutputNs: number;
}

interface MutableDuration {
  count: number;
  ns: number;
}

interface BatchCounters {
  readonly computeInput: MutableDuration;
  readonly computeInfer: MutableDuration;
  readonly computeOutput: MutableDuration;
}

/** Cumulative statistics of one model version, in the shape of Triton's statistics extension. */
export interface StatisticsRecorder {
  recordSuccess(timings: RequestTimings): void;
  /** A request that failed after it reached this model version (validation included, as Triton counts). */
  recordFailure(totalNs: number): void;
  snapshot(name: string, version: string): ModelStatistics;
}

export function createStatisticsRecorder(now: () => number = Date.now): StatisticsRecorder {
  const zero = (): MutableDuration => ({ count: 0, ns: 0 });
  const success = zero();
  const fail = zero();
  const queue = zero();
  const computeInput = zero();
  const computeInfer = zero();
  const computeOutput = zero();
  const batches = new Map<number, BatchCounters>();
  let lastInference = 0;
  let inferenceCount = 0;
  let executionCount = 0;
  const add = (d: MutableDuration, ns: number) => {
    d.count += 1;
    d.ns += ns;
  };
  const copy = (d: MutableDuration): Duration => ({ count: d.count, ns: d.ns });
  return {
    recordSuccess(t) {
      add(success, t.totalNs);
      add(queue, t.queueNs ?? 0);
      add(computeInput, t.computeInputNs);
      add(computeInfer, t.computeInferNs);
      add(computeOutput, t.computeOutputNs);
      let batch = batches.get(t.batchSize);
      if (batch === undefined) {
        batch = { computeInput: zero(), computeInfer: zero(), computeOutput: zero() };
        batches.set(t.batchSize, batch);
      }
      add(batch.computeInput, t.computeInputNs);
      add(batch.computeInfer, t.computeInferNs);
      add(batch.computeOutput, t.computeOutputNs);
      inferenceCount += t.batchSize;
      executionCount += 1;
      lastInference = now();
    },
    recordFailure(totalNs) {
      add(fail, totalNs);
      lastInference = now();
    },
    snapshot(name, version) {
      return {
        name,
        version,
        lastInference,
        inferenceCount,
        executionCount,
        inferenceStats: {
          success: copy(success),
          fail: copy(fail),
          queue: copy(queue),
          computeInput: copy(computeInput),
          computeInfer: copy(computeInfer),
          computeOutput: copy(computeOutput),
        },
        batchStats: [...batches]
          .sort(([a], [b]) => a - b)
          .map(([batchSize, b]) => ({
            batchSize,
            computeInput: copy(b.computeInput),
            computeInfer: copy(b.computeInfer),
            computeOutput: copy(b.computeOutput),
          })),
      };
    },
  };
}
