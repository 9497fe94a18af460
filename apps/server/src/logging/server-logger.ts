import { TensorwireError } from "@tensorwire/codec";
import { type Logger, pino } from "pino";
import type { InferObserver } from "../core/infer-observer.js";

/**
 * Structured logs (pino, JSON lines on stderr so stdout stays for the CLI's human lines). Every
 * line about a request carries its `requestId` (the `x-request-id` the response carries).
 * Levels: failed inferences are `warn` (client faults) or `error` (server faults); each completed
 * inference is a `debug` line, off by default because at tens of thousands of requests per second
 * the log would cost more than the inference.
 */
export interface LoggingOptions {
  /**
   * pino level: fatal, error, warn, info, debug, trace or silent. Default "error": an in-process
   * server in a test suite stays quiet about the bad requests its tests send; the CLI asks for "info".
   */
  readonly logLevel: string;
}

export function createServerLogger(options: Partial<LoggingOptions> = {}): Logger {
  return pino({ level: options.logLevel ?? "error", base: { name: "tensorwire" } }, pino.destination(2));
}

/** Logs each inference the data plane saw, as described on `createServerLogger`. */
export function requestLogObserver(logger: Logger): InferObserver {
  return {
    inferred(e) {
      if (e.error === undefined) {
        if (logger.isLevelEnabled("debug")) {
          logger.debug(
            {
              requestId: e.requestId,
              model: e.model,
              version: e.version,
              protocol: e.protocol,
              ms: e.totalNs / 1e6,
              batchSize: e.batchSize,
            },
            "inference",
          );
        }
        return;
      }
      const err = TensorwireError.from(e.error);
      const fields = {
        requestId: e.requestId,
        model: e.model,
        version: e.version,
        protocol: e.protocol,
        code: err.code,
      };
      if (err.code === "internal") {
        logger.error({ ...fields, err: e.error }, `inference failed: ${err.message}`);
      } else if (logger.isLevelEnabled("warn")) {
        logger.warn(fields, `inference failed: ${err.message}`);
      }
    },
  };
}

/** Fans one event out to several observers. */
export function combineObservers(...observers: readonly InferObserver[]): InferObserver {
  return {
    inferred(event) {
      for (const observer of observers) {
        observer.inferred(event);
      }
    },
  };
}
