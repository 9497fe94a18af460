import {
  errorStatus,
  type InferRequest,
  type InferResponse,
  type JsonValue,
  stringifyJsonText,
  TensorwireError,
} from "@tensorwire/codec";
import { encodeRestInferRequest, encodeRestInferResponse } from "@tensorwire/codec/rest";
import { encodeInferenceLog, type InferenceLogRecord, modelIdOf } from "./inference-log-schema.js";

/** One finished inference, as captured on the request path: no encoding happens there. */
export interface InferenceLogEntry {
  readonly modelName: string;
  readonly modelVersion: string | undefined;
  readonly requestId: string;
  readonly timestamp: number;
  readonly request: InferRequest;
  readonly outcome: { readonly response: InferResponse } | { readonly error: unknown };
}

/** Where encoded records go: Kafka in production, an array in tests. Keys are request ids. */
export type InferenceLogSink = (records: readonly { key: string; value: Buffer }[]) => Promise<void>;

export interface InferenceLoggerOptions {
  /** Entries waiting to be sent; past it new entries are dropped and counted. Default 10,000. */
  readonly queueSize: number;
  /** Records per sink call. Default 500: one Kafka produce request of a few hundred KB. */
  readonly batchSize: number;
}

export interface InferenceLogStats {
  /** Records the sink accepted. */
  readonly logged: number;
  /** Entries dropped because the queue was full: the metrics issue exports this counter. */
  readonly dropped: number;
  /** Records lost because encoding or the sink failed. */
  readonly failed: number;
  readonly queued: number;
}

export interface InferenceLogger {
  /** Never throws and never waits: queues the entry or counts it dropped. */
  log(entry: InferenceLogEntry): void;
  stats(): InferenceLogStats;
  /** Sends what is queued, then stops accepting entries. */
  close(): Promise<void>;
}

export function makeInferenceLoggerOptions(
  options: Partial<InferenceLoggerOptions> = {},
): InferenceLoggerOptions {
  return { queueSize: options.queueSize ?? 10_000, batchSize: options.batchSize ?? 500 };
}

/**
 * A bounded queue drained in the background: logging costs an inference one array push, and a
 * slow or absent broker costs dropped log records, never latency or failed requests.
 */
export function createInferenceLogger(
  sink: InferenceLogSink,
  partial: Partial<InferenceLoggerOptions> = {},
): InferenceLogger {
  const options = makeInferenceLoggerOptions(partial);
  let queue: InferenceLogEntry[] = [];
  let logged = 0;
  let dropped = 0;
  let failed = 0;
  let closed = false;
  let draining: Promise<void> | undefined;

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, options.batchSize);
      queue = queue.slice(batch.length);
      const records: { key: string; value: Buffer }[] = [];
      for (const entry of batch) {
        try {
          records.push({ key: entry.requestId, value: encodeInferenceLog(toRecord(entry)) });
        } catch {
          failed++;
        }
      }
      try {
        await sink(records);
        logged += records.length;
      } catch {
        failed += records.length;
      }
    }
  };
  const schedule = (): void => {
    draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(drain).finally(() => {
      draining = undefined;
      if (queue.length > 0 && !closed) {
        schedule();
      }
    });
  };

  return {
    log(entry) {
      if (closed || queue.length >= options.queueSize) {
        dropped++;
        return;
      }
      queue.push(entry);
      schedule();
    },
    stats: () => ({ logged, dropped, failed, queued: queue.length }),
    async close() {
      closed = true;
      while (draining !== undefined) {
        await draining;
      }
      await drain();
    },
  };
}

function toRecord(entry: InferenceLogEntry): InferenceLogRecord {
  const { outcome } = entry;
  const version =
    "response" in outcome ? (outcome.response.modelVersion ?? entry.modelVersion) : entry.modelVersion;
  const error = "error" in outcome ? TensorwireError.from(outcome.error) : undefined;
  return {
    modelId: modelIdOf(entry.modelName),
    modelName: entry.modelName,
    modelVersion: version !== undefined && /^[0-9]{1,9}$/.test(version) ? Number(version) : 0,
    requestTimestamp: entry.timestamp,
    responseHttpCode: error === undefined ? 200 : errorStatus[error.code].http,
    inferenceRequest: json(encodeRestInferRequest(entry.request)),
    inferenceResponse:
      "response" in outcome
        ? json(encodeRestInferResponse(outcome.response))
        : json({ error: error?.message ?? "" }),
  };
}

function json(value: unknown): string {
  return stringifyJsonText(value as JsonValue);
}
