import { TensorwireError } from "@tensorwire/codec";
import type { PipelineTrace } from "./run-pipeline.js";

export interface InspectQuery {
  /** The request to show; absent: the newest requests. */
  readonly requestId?: string;
  /**
   * How many requests, newest first, to search (with `requestId`) or show (without). Default 1, as
   * Seldon's `--offset`: the last request.
   */
  readonly offset?: number;
}

export interface InspectStore {
  add(trace: PipelineTrace): void;
  /** Newest first. Throws not_found when `requestId` is not among the last `offset` requests. */
  find(pipeline: string, query: InspectQuery): PipelineTrace[];
}

/**
 * The last `capacity` requests of each pipeline, a ring buffer per pipeline: memory is bounded by
 * capacity × pipelines × request size, and old requests drop out without any sweeping.
 */
export function createInspectStore(capacity: number): InspectStore {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new TensorwireError(
      "invalid_argument",
      `inspect capacity: expected a positive integer, got ${capacity}`,
    );
  }
  const rings = new Map<string, { traces: PipelineTrace[]; next: number }>();
  return {
    add(trace) {
      let ring = rings.get(trace.pipeline);
      if (ring === undefined) {
        ring = { traces: [], next: 0 };
        rings.set(trace.pipeline, ring);
      }
      if (ring.traces.length < capacity) {
        ring.traces.push(trace);
      } else {
        ring.traces[ring.next] = trace;
      }
      ring.next = (ring.next + 1) % capacity;
    },
    find(pipeline, query) {
      const offset = query.offset ?? 1;
      if (!Number.isInteger(offset) || offset < 1) {
        throw new TensorwireError("invalid_argument", `offset: expected a positive integer, got ${offset}`, {
          field: "offset",
        });
      }
      const ring = rings.get(pipeline);
      const newest: PipelineTrace[] = [];
      if (ring !== undefined) {
        const n = ring.traces.length;
        for (let i = 1; i <= Math.min(offset, n); i++) {
          newest.push(ring.traces[(ring.next - i + n) % n] as PipelineTrace);
        }
      }
      if (query.requestId === undefined) {
        return newest;
      }
      const found = newest.filter((t) => t.requestId === query.requestId);
      if (found.length === 0) {
        throw new TensorwireError(
          "not_found",
          `request '${query.requestId}' is not among the last ${offset} requests of pipeline '${pipeline}': raise --offset`,
          { field: "request_id" },
        );
      }
      return found;
    },
  };
}
