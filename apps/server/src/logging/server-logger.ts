import { createRequire } from "node:module";
import { TensorwireError } from "@tensorwire/codec";
import type { Logger } from "pino";
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

/** pino's levels, by the numbers pino gives them; a line is written at or above the level set. */
const levels = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;

type LogLevel = keyof typeof levels;

/** The part of pino's logger the server writes through. */
export interface ServerLogger {
  isLevelEnabled(level: LogLevel): boolean;
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
  /** Writes out what pino holds; nothing to do before the first line. */
  flush(): void;
}

const require = createRequire(import.meta.url);

/**
 * A logger whose pino is created with the first line written: pino is a tenth of what a start
 * would import, and a test suite's server (at "error") usually writes no line at all. Synchronous,
 * so that a line is never held back: pino is a CommonJS package.
 */
export function createServerLogger(options: Partial<LoggingOptions> = {}): ServerLogger {
  const level = options.logLevel ?? "error";
  if (!Object.hasOwn(levels, level)) {
    throw new TensorwireError(
      "invalid_argument",
      `logLevel: expected one of ${Object.keys(levels).join(", ")}, got '${level}'`,
    );
  }
  const threshold = levels[level as LogLevel];
  let logger: Logger | undefined;
  const pinoLogger = (): Logger => {
    if (logger === undefined) {
      const { pino } = require("pino") as typeof import("pino");
      logger = pino({ level, base: { name: "tensorwire" } }, pino.destination(2));
    }
    return logger;
  };
  const enabled = (l: LogLevel) => levels[l] >= threshold;
  return {
    isLevelEnabled: enabled,
    error(fields, message) {
      if (enabled("error")) {
        pinoLogger().error(fields, message);
      }
    },
    warn(fields, message) {
      if (enabled("warn")) {
        pinoLogger().warn(fields, message);
      }
    },
    debug(fields, message) {
      if (enabled("debug")) {
        pinoLogger().debug(fields, message);
      }
    },
    flush: () => logger?.flush(),
  };
}

/** Logs each inference the data plane saw, as described on `createServerLogger`. */
export function requestLogObserver(logger: ServerLogger): InferObserver {
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
