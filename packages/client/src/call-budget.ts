import type { ClientOptions, LogEntry } from "./client-options.js";
import { InferenceError } from "./inference-error.js";

/**
 * One call's time and cancellation: a signal that fires when the call's deadline passes or the
 * caller aborts, shared by every attempt, so retries never outlast the call's timeout.
 */
export interface CallBudget {
  readonly signal: AbortSignal;
  /** Milliseconds left before the deadline (Infinity without one). */
  remainingMs(): number;
  /** The error for an aborted call: `deadline_exceeded` on the deadline, else `cancelled`. */
  abortError(what: string, requestId?: string): InferenceError;
  /** Clears the deadline timer; call when the call ends. */
  dispose(): void;
}

export function startCall(timeoutMs: number, callerSignal: AbortSignal | undefined): CallBudget {
  const controller = new AbortController();
  const start = Date.now();
  let timedOut = false;
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(
        () => {
          timedOut = true;
          controller.abort(new DOMException("deadline exceeded", "TimeoutError"));
        },
        Math.max(0, timeoutMs),
      )
    : undefined;
  const onAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) {
    onAbort();
  } else {
    callerSignal?.addEventListener("abort", onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    remainingMs: () =>
      Number.isFinite(timeoutMs) ? Math.max(0, timeoutMs - (Date.now() - start)) : Infinity,
    abortError(what, requestId) {
      return timedOut
        ? new InferenceError(
            "deadline_exceeded",
            `${what}: no answer within ${timeoutMs} ms (client timeout)`,
            {
              requestId,
            },
          )
        : new InferenceError("cancelled", `${what}: cancelled by the caller`, {
            requestId,
            cause: callerSignal?.reason,
          });
    },
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onAbort);
    },
  };
}

/** What one attempt ended with: an answer, or an error that is safe to try again. */
export type AttemptOutcome<T> =
  | { readonly done: T }
  | { readonly retry: InferenceError; readonly retryAfterMs?: number | undefined };

/**
 * Runs attempts until one is done, a failure is not retryable (the attempt throws), retries run
 * out or the next wait would pass the deadline; then the last retryable error is thrown.
 * Backoff is exponential with full jitter (AWS's recommendation): clients that failed together
 * do not come back together.
 */
export async function withRetries<T>(
  options: Pick<ClientOptions, "retries" | "retryBaseMs" | "retryMaxMs" | "logger">,
  budget: CallBudget,
  describe: { method: string; url: string; statusOf: (answer: T) => number },
  attempt: (n: number) => Promise<AttemptOutcome<T>>,
): Promise<T> {
  for (let n = 0; ; n++) {
    const started = Date.now();
    const entry = { method: describe.method, url: describe.url, attempt: n + 1 };
    let outcome: AttemptOutcome<T>;
    try {
      outcome = await attempt(n);
    } catch (err) {
      const status = err instanceof InferenceError ? err.status : undefined;
      log(options.logger, {
        ...entry,
        ...(status === undefined ? { error: String(err instanceof Error ? err.message : err) } : { status }),
        durationMs: Date.now() - started,
      });
      throw err;
    }
    if ("done" in outcome) {
      log(options.logger, {
        ...entry,
        status: describe.statusOf(outcome.done),
        durationMs: Date.now() - started,
      });
      return outcome.done;
    }
    const backoff = Math.random() * Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** n);
    const wait = Math.max(backoff, Math.min(outcome.retryAfterMs ?? 0, options.retryMaxMs));
    const again = n < options.retries && wait < budget.remainingMs();
    log(options.logger, {
      ...entry,
      ...(outcome.retry.status === undefined
        ? { error: outcome.retry.message }
        : { status: outcome.retry.status }),
      durationMs: Date.now() - started,
      ...(again ? { retryInMs: Math.round(wait) } : {}),
    });
    if (!again) {
      throw outcome.retry;
    }
    await sleep(wait, budget.signal);
  }
}

export function log(logger: ((entry: LogEntry) => void) | undefined, entry: LogEntry): void {
  try {
    logger?.(entry);
  } catch {
    // A failing logger must not fail the call it reports on.
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    // An abort ends the wait early; the next attempt then sees the aborted signal and fails with it.
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
