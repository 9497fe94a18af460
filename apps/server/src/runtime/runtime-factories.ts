import type { ModelRuntime } from "../core/model-runtime.js";
import { createConstantRuntime, createEchoRuntime } from "./mock-runtimes.js";
import { createModuleRuntime } from "./module-runtime.js";
import { createOnnxRuntime } from "./onnx-runtime.js";
import { withModifiers } from "./runtime-modifiers.js";
import type { RuntimeKind, RuntimeModifiers, RuntimeSpec } from "./runtime-spec.js";

type Factories = { readonly [K in RuntimeKind]: (spec: Extract<RuntimeSpec, { kind: K }>) => ModelRuntime };

/** Every runtime the server knows, by the `runtime` name a model config uses: no import strings. */
export const runtimeFactories: Factories = Object.freeze({
  onnx: createOnnxRuntime,
  echo: createEchoRuntime,
  constant: createConstantRuntime,
  module: createModuleRuntime,
});

/** Builds (but does not load) the runtime a spec describes, with its modifiers applied. */
export function createRuntime(spec: RuntimeSpec, modifiers: RuntimeModifiers = {}): ModelRuntime {
  const factory = runtimeFactories[spec.kind] as (spec: RuntimeSpec) => ModelRuntime;
  return withModifiers(factory(spec), modifiers);
}
