import { setTimeout as sleep } from "node:timers/promises";
import { TensorwireError } from "@tensorwire/codec";
import type { ModelRuntime } from "../core/model-runtime.js";
import { createBatchingRuntime } from "./batching-runtime.js";
import type { LatencySpec, RuntimeModifiers } from "./runtime-spec.js";

/** Wraps a runtime with injected latency and errors; returns it unchanged when there are none. */
export function withModifiers(
  runtime: ModelRuntime,
  modifiers: RuntimeModifiers,
  random: () => number = Math.random,
): ModelRuntime {
  const { latency, errors, batching } = modifiers;
  if (batching !== undefined) {
    // Batching outermost: injected latency and errors then apply to each batched run.
    return createBatchingRuntime(
      withModifiers(runtime, { ...modifiers, batching: undefined }, random),
      batching,
    );
  }
  if (latency === undefined && errors === undefined) {
    return runtime;
  }
  return {
    load: () => runtime.load(),
    metadata: () => runtime.metadata(),
    unload: () => runtime.unload(),
    async infer(inputs, options) {
      if (latency !== undefined) {
        const ms = sampleLatency(latency, random);
        if (ms > 0) {
          await sleep(ms, undefined, options.signal === undefined ? {} : { signal: options.signal });
        }
      }
      // `random() < rate` fails never for 0 and always for 1, since random() is in [0, 1).
      if (errors !== undefined && random() < errors.rate) {
        throw new TensorwireError(errors.code, errors.message);
      }
      return runtime.infer(inputs, options);
    },
  };
}

export function sampleLatency(spec: LatencySpec, random: () => number): number {
  switch (spec.distribution) {
    case "fixed":
      return spec.ms;
    case "uniform":
      return spec.minMs + random() * (spec.maxMs - spec.minMs);
    case "normal": {
      // Box–Muller; 1 - random() keeps the logarithm's argument in (0, 1].
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return Math.max(0, spec.meanMs + z * spec.stdDevMs);
    }
  }
}
