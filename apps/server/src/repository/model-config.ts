import {
  type Datatype,
  datatypes,
  type ErrorCode,
  errorStatus,
  isDatatype,
  type JsonValue,
  TensorwireError,
} from "@tensorwire/codec";
import { describeValue } from "../core/describe-value.js";
import {
  type ExplainerConfig,
  explainerKinds,
  type ValidationConfig,
  validationOps,
} from "../core/model-extras.js";
import { runtimeFactories } from "../runtime/runtime-factories.js";
import type { BatchingSpec, ErrorInjectionSpec, LatencySpec, RuntimeKind } from "../runtime/runtime-spec.js";

/**
 * A model's configuration: `<repo>/<model>/config.yaml` on disk (YAML, so JSON works too), or the
 * `config` object of an in-memory declaration. Every key is optional for an ONNX model, whose
 * tensors are read from the model itself.
 *
 * ```yaml
 * runtime: onnx               # onnx (default) | echo | constant | function
 * versionPolicy: latest       # latest (= {latest: 1}) | all | {latest: N} | {specific: [1, 3]}
 * model: shared/iris.onnx     # onnx: one file for every version instead of <version>/model.onnx
 * inputs:
 *   - name: predict           # an input of the model
 *     aliases: [input]        # other names a request may use for it
 *     acceptDatatypes: [FP64] # also accepted, cast to the model's datatype before validation
 * outputs:
 *   - name: label             # an output of the model
 *     rename: predict         # the name clients see in metadata, requests and responses
 * latency: {distribution: normal, meanMs: 20, stdDevMs: 5}   # or fixed {ms}, uniform {minMs, maxMs}
 * errors: {rate: 0.1, code: unavailable, message: "injected"}
 * batching: {maxBatchSize: 32, maxQueueDelayMs: 1}   # adaptive batching, models with dim 0 = -1
 * validations:               # Wallaroo anomaly rules, reported as anomaly.<name> result columns
 *   - {name: high_fraud, column: out.probability, op: ">", value: 0.9}
 * explainer:                  # a mock KServe V1 explainer, answering :explain
 *   response: {explanations: [{feature: petal_length, weight: 0.8}]}   # answered as-is, or
 *   # kind: predictions       # {"explanations": <the model's predictions for the instances>}
 * maxBatchSize: 8             # Triton's max_batch_size (see below)
 * grpcRawOutput: true         # gRPC answers carry raw_output_contents, as Triton's do
 * signatures: [serving_default, predict_images]   # TF-Serving signature names the model answers
 * ```
 *
 * `maxBatchSize` is what Triton's model configuration extension reports as `max_batch_size`: above
 * 0, dimension 0 of every input and output is the batch (it must be -1) and a request's batch may
 * not exceed it (Triton's 400 "inference request batch-size must be <= N"); 0, the default, means
 * the model declares no batch dimension. Unset, it is `batching.maxBatchSize` when batching is on.
 *
 * `grpcRawOutput` overrides the server's `grpcRawOutput` option for this model: true answers every
 * gRPC inference with `raw_output_contents` (Triton always does; its explicit-content examples read
 * nothing else), false answers raw only to requests sent raw (KServe's rule).
 *
 * `signatures` are the TF-Serving signature names a request's `signature_name` may give (default
 * `[serving_default]`); every one runs the same model.
 *
 * Mock runtimes declare their tensors instead (`datatype` and `shape`, -1 for a variable
 * dimension): `echo` returns each input as an output (`rename: {INPUT0: OUTPUT0}` maps input to
 * output names), `constant` returns outputs given with `data` (flat or nested), and `function`
 * runs the `infer(inputs)` export of `module:` (a path relative to the model directory that must
 * lie under a root the operator allowed).
 *
 * An input marked `optional: true` may be left out of a request.
 *
 * Any model may declare an `explainer` (tensorwire runs no real explainers): `kind: constant`
 * (the default) answers `response`, any JSON but null, as-is; `kind: predictions` answers
 * `{"explanations": [...]}` with the model's KServe V1 predictions for the request's instances.
 * Either way `:explain` checks the request's `instances` against the model's inputs first.
 */
export interface ModelConfig {
  readonly runtime: RuntimeKind;
  readonly versionPolicy: VersionPolicy;
  /** onnx: a model file for every version, relative to the model directory. */
  readonly model?: string;
  /** function: the module, relative to the model directory. */
  readonly module?: string;
  /** echo: input name → output name. */
  readonly rename: Readonly<Record<string, string>>;
  readonly inputs: readonly InputConfig[];
  readonly outputs: readonly OutputConfig[];
  readonly latency?: LatencySpec;
  readonly errors?: ErrorInjectionSpec;
  readonly batching?: BatchingSpec;
  readonly validations: readonly ValidationConfig[];
  /** A mock KServe V1 explainer; without one `:explain` answers 501. */
  readonly explainer?: ExplainerConfig;
  /** Triton's max_batch_size; 0: no batch dimension. */
  readonly maxBatchSize: number;
  /** gRPC output contents for this model; undefined: the server's choice. */
  readonly grpcRawOutput?: boolean;
  /** TF-Serving signature names the model answers. */
  readonly signatures: readonly string[];
}

export type VersionPolicy =
  | { readonly kind: "latest"; readonly count: number }
  | { readonly kind: "all" }
  | { readonly kind: "specific"; readonly versions: readonly string[] };

export interface InputConfig {
  readonly name: string;
  readonly datatype?: Datatype;
  readonly shape?: readonly number[];
  readonly aliases: readonly string[];
  readonly acceptDatatypes: readonly Datatype[];
  readonly optional: boolean;
}

export interface OutputConfig {
  readonly name: string;
  readonly datatype?: Datatype;
  readonly shape?: readonly number[];
  readonly rename?: string;
  /** constant: the output's elements, flat or nested in its shape. */
  readonly data?: readonly unknown[];
}

type Raw = Readonly<Record<string, unknown>>;

const topLevelKeys = new Set([
  "name",
  "runtime",
  "versionPolicy",
  "model",
  "module",
  "rename",
  "inputs",
  "outputs",
  "latency",
  "errors",
  "batching",
  "validations",
  "explainer",
  "maxBatchSize",
  "grpcRawOutput",
  "signatures",
]);

/**
 * Checks a parsed config object. Unknown keys are errors, so a typo (`aliasses`) is reported
 * instead of silently ignored. `where` names the config in messages (e.g. "model 'iris' config.yaml").
 */
export function parseModelConfig(raw: unknown, where: string): ModelConfig {
  const fail = (path: string, message: string): never => {
    throw new TensorwireError("invalid_argument", `${where}: ${path}: ${message}`, { field: path });
  };
  const obj = raw ?? {};
  if (!isRecord(obj)) {
    return fail("config", `expected a mapping, got ${describeValue(raw)}`);
  }
  for (const key of Object.keys(obj)) {
    if (!topLevelKeys.has(key)) {
      fail(key, `unknown key; expected one of ${[...topLevelKeys].join(", ")}`);
    }
  }
  const runtime = obj.runtime ?? "onnx";
  if (typeof runtime !== "string" || !Object.hasOwn(runtimeFactories, runtime)) {
    return fail(
      "runtime",
      `expected one of ${Object.keys(runtimeFactories).join(", ")}, got ${describeValue(runtime)}`,
    );
  }
  const kind = runtime as RuntimeKind;
  const inputs = list(obj.inputs, "inputs", fail).map((item, i) =>
    parseInput(item, `inputs[${i}]`, kind, fail),
  );
  const outputs = list(obj.outputs, "outputs", fail).map((item, i) =>
    parseOutput(item, `outputs[${i}]`, kind, fail),
  );
  uniqueNames(
    inputs.flatMap((input) => [input.name, ...input.aliases]),
    "inputs",
    fail,
  );
  uniqueNames(
    outputs.map((output) => output.rename ?? output.name),
    "outputs",
    fail,
  );
  const rename = parseRename(obj.rename, fail);
  if (kind === "function" && typeof obj.module !== "string") {
    fail("module", "a function model needs the path of its module");
  }
  if ((kind === "function" || kind === "echo") && inputs.length === 0) {
    fail("inputs", `a ${kind} model must declare its inputs`);
  }
  if ((kind === "function" || kind === "constant") && outputs.length === 0) {
    fail("outputs", `a ${kind} model must declare its outputs`);
  }
  const batching = obj.batching === undefined ? undefined : parseBatching(obj.batching, fail);
  const config: ModelConfig = {
    runtime: kind,
    versionPolicy: parseVersionPolicy(obj.versionPolicy, fail),
    rename,
    inputs,
    outputs,
    validations: list(obj.validations, "validations", fail).map((item, i) =>
      parseValidation(item, `validations[${i}]`, fail),
    ),
    maxBatchSize: parseMaxBatchSize(obj.maxBatchSize, batching, fail),
    signatures: parseSignatures(obj.signatures, fail),
  };
  uniqueNames(
    config.validations.map((v) => v.name),
    "validations",
    fail,
  );
  return {
    ...config,
    ...optionalString(obj.model, "model", kind === "onnx", fail),
    ...optionalString(obj.module, "module", kind === "function", fail),
    ...(obj.latency === undefined ? {} : { latency: parseLatency(obj.latency, fail) }),
    ...(obj.errors === undefined ? {} : { errors: parseErrors(obj.errors, fail) }),
    ...(batching === undefined ? {} : { batching }),
    ...(obj.explainer === undefined ? {} : { explainer: parseExplainer(obj.explainer, fail) }),
    ...(obj.grpcRawOutput === undefined
      ? {}
      : {
          grpcRawOutput:
            typeof obj.grpcRawOutput === "boolean"
              ? obj.grpcRawOutput
              : fail("grpcRawOutput", `expected true or false, got ${describeValue(obj.grpcRawOutput)}`),
        }),
  };
}

function parseMaxBatchSize(raw: unknown, batching: BatchingSpec | undefined, fail: Fail): number {
  if (raw === undefined) {
    return batching?.maxBatchSize ?? 0;
  }
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < 0) {
    return fail("maxBatchSize", `expected a non-negative integer, got ${describeValue(raw)}`);
  }
  return raw;
}

function parseSignatures(raw: unknown, fail: Fail): readonly string[] {
  if (raw === undefined) {
    return ["serving_default"];
  }
  const names = list(raw, "signatures", fail).map((name, i) =>
    typeof name === "string" && name !== ""
      ? name
      : fail(`signatures[${i}]`, `expected a signature name, got ${describeValue(name)}`),
  );
  if (names.length === 0) {
    fail("signatures", "expected at least one signature name");
  }
  uniqueNames(names, "signatures", fail);
  return names;
}

type Fail = (path: string, message: string) => never;

function parseInput(raw: unknown, path: string, kind: RuntimeKind, fail: Fail): InputConfig {
  const obj = record(raw, path, fail, [
    "name",
    "datatype",
    "shape",
    "aliases",
    "acceptDatatypes",
    "optional",
  ]);
  const tensor = parseTensorHeader(obj, path, kind !== "onnx", fail);
  const aliases = list(obj.aliases, `${path}.aliases`, fail).map((alias, i) =>
    typeof alias === "string" && alias !== ""
      ? alias
      : fail(`${path}.aliases[${i}]`, "expected a tensor name"),
  );
  const acceptDatatypes = list(obj.acceptDatatypes, `${path}.acceptDatatypes`, fail).map((dt, i) => {
    // BYTES has no numeric value to cast from or to.
    if (!isDatatype(dt) || dt === "BYTES") {
      return fail(`${path}.acceptDatatypes[${i}]`, `expected a numeric datatype, got ${describeValue(dt)}`);
    }
    return dt;
  });
  if (acceptDatatypes.length > 0 && tensor.datatype === "BYTES") {
    fail(`${path}.acceptDatatypes`, "a BYTES input cannot accept other datatypes");
  }
  const optional = obj.optional ?? false;
  if (typeof optional !== "boolean") {
    fail(`${path}.optional`, `expected true or false, got ${describeValue(optional)}`);
  }
  return { ...tensor, aliases, acceptDatatypes, optional: optional as boolean };
}

function parseOutput(raw: unknown, path: string, kind: RuntimeKind, fail: Fail): OutputConfig {
  const obj = record(raw, path, fail, ["name", "datatype", "shape", "rename", "data"]);
  const tensor = parseTensorHeader(obj, path, kind === "function" || kind === "constant", fail);
  const rename = obj.rename;
  if (rename !== undefined && (typeof rename !== "string" || rename === "")) {
    fail(`${path}.rename`, "expected a tensor name");
  }
  if (kind === "constant") {
    if (!Array.isArray(obj.data)) {
      fail(`${path}.data`, "a constant output needs its data as a list");
    }
    if (tensor.shape?.some((d) => d < 0)) {
      fail(`${path}.shape`, "a constant output has a concrete shape");
    }
  } else if (obj.data !== undefined) {
    fail(`${path}.data`, "only constant outputs carry data");
  }
  return {
    ...tensor,
    ...(rename === undefined ? {} : { rename: rename as string }),
    ...(Array.isArray(obj.data) ? { data: obj.data } : {}),
  };
}

function parseValidation(raw: unknown, path: string, fail: Fail): ValidationConfig {
  const obj = record(raw, path, fail, ["name", "column", "op", "value"]);
  const { name, column, op, value } = obj;
  if (typeof name !== "string" || name === "" || name === "count") {
    fail(`${path}.name`, `expected a name other than "count", got ${describeValue(name)}`);
  }
  if (typeof column !== "string" || !/^(in|out)\../.test(column)) {
    fail(`${path}.column`, `expected in.<input> or out.<output>, got ${describeValue(column)}`);
  }
  if (!(validationOps as readonly unknown[]).includes(op)) {
    fail(`${path}.op`, `expected one of ${validationOps.join(" ")}, got ${describeValue(op)}`);
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    fail(`${path}.value`, `expected a number, got ${describeValue(value)}`);
  }
  return { name, column, op, value } as ValidationConfig;
}

function parseExplainer(raw: unknown, fail: Fail): ExplainerConfig {
  const obj = record(raw, "explainer", fail, ["kind", "response"]);
  const { kind = "constant", response } = obj;
  if (kind === "predictions") {
    return response === undefined
      ? { kind }
      : fail("explainer.response", "a predictions explainer answers the model's predictions, not a response");
  }
  if (kind !== "constant") {
    return fail("explainer.kind", `expected one of ${explainerKinds.join(", ")}, got ${describeValue(kind)}`);
  }
  if (response === undefined || response === null) {
    return fail("explainer.response", "a constant explainer needs its response (any JSON but null)");
  }
  checkJson(response, "explainer.response", fail);
  return { kind, response: response as JsonValue };
}

/** Plain JSON data: what YAML or a declaration gives may hold other objects (dates, functions, NaN). */
function checkJson(value: unknown, path: string, fail: Fail): void {
  if (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    typeof value === "bigint"
  ) {
    return;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      fail(path, `expected a finite number, got ${describeValue(value)}`);
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      checkJson(item, `${path}[${i}]`, fail);
    }
    return;
  }
  const proto: unknown = typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    fail(path, `expected JSON, got ${describeValue(value)}`);
  }
  for (const [key, item] of Object.entries(value as Raw)) {
    checkJson(item, `${path}.${key}`, fail);
  }
}

function parseTensorHeader(
  obj: Raw,
  path: string,
  declared: boolean,
  fail: Fail,
): { name: string; datatype?: Datatype; shape?: readonly number[] } {
  const { name, datatype, shape } = obj;
  if (typeof name !== "string" || name === "") {
    return fail(`${path}.name`, "expected a tensor name");
  }
  if (datatype === undefined && shape === undefined && !declared) {
    return { name };
  }
  if (!isDatatype(datatype)) {
    return fail(
      `${path}.datatype`,
      `expected one of ${datatypes.join(", ")}, got ${describeValue(datatype)}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= -1)) {
    return fail(
      `${path}.shape`,
      `expected a list of dimensions (-1 for variable), got ${describeValue(shape)}`,
    );
  }
  return { name, datatype, shape: shape as number[] };
}

function parseVersionPolicy(raw: unknown, fail: Fail): VersionPolicy {
  if (raw === undefined || raw === "latest") {
    return { kind: "latest", count: 1 };
  }
  if (raw === "all") {
    return { kind: "all" };
  }
  if (isRecord(raw) && Object.keys(raw).length === 1) {
    if (Number.isSafeInteger(raw.latest) && (raw.latest as number) > 0) {
      return { kind: "latest", count: raw.latest as number };
    }
    const specific = raw.specific;
    if (Array.isArray(specific) && specific.length > 0 && specific.every((v) => isVersionNumber(v))) {
      return { kind: "specific", versions: specific.map((v) => String(v)) };
    }
  }
  return fail(
    "versionPolicy",
    `expected latest, all, {latest: N} or {specific: [versions]}, got ${describeValue(raw)}`,
  );
}

function isVersionNumber(value: unknown): boolean {
  const text = typeof value === "number" ? String(value) : value;
  return typeof text === "string" && /^[0-9]+$/.test(text);
}

function parseLatency(raw: unknown, fail: Fail): LatencySpec {
  const obj = record(raw, "latency", fail, ["distribution", "ms", "minMs", "maxMs", "meanMs", "stdDevMs"]);
  const ms = (key: string): number => {
    const value = obj[key];
    return typeof value === "number" && Number.isFinite(value) && value >= 0
      ? value
      : fail(`latency.${key}`, `expected a non-negative number of milliseconds, got ${describeValue(value)}`);
  };
  switch (obj.distribution ?? "fixed") {
    case "fixed":
      return { distribution: "fixed", ms: ms("ms") };
    case "uniform": {
      const spec = { distribution: "uniform", minMs: ms("minMs"), maxMs: ms("maxMs") } as const;
      return spec.maxMs >= spec.minMs ? spec : fail("latency.maxMs", "must not be below minMs");
    }
    case "normal":
      return { distribution: "normal", meanMs: ms("meanMs"), stdDevMs: ms("stdDevMs") };
    default:
      return fail(
        "latency.distribution",
        `expected fixed, uniform or normal, got ${describeValue(obj.distribution)}`,
      );
  }
}

function parseErrors(raw: unknown, fail: Fail): ErrorInjectionSpec {
  const obj = record(raw, "errors", fail, ["rate", "code", "message"]);
  const { rate, code = "internal", message } = obj;
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
    fail("errors.rate", `expected a probability between 0 and 1, got ${describeValue(rate)}`);
  }
  if (typeof code !== "string" || !Object.hasOwn(errorStatus, code)) {
    fail("errors.code", `expected one of ${Object.keys(errorStatus).join(", ")}, got ${describeValue(code)}`);
  }
  if (message !== undefined && typeof message !== "string") {
    fail("errors.message", "expected a string");
  }
  return {
    rate: rate as number,
    code: code as ErrorCode,
    message: (message as string | undefined) ?? "injected error",
  };
}

function parseBatching(raw: unknown, fail: Fail): BatchingSpec {
  const obj = record(raw, "batching", fail, ["maxBatchSize", "maxQueueDelayMs"]);
  const { maxBatchSize = 32, maxQueueDelayMs = 1 } = obj;
  if (typeof maxBatchSize !== "number" || !Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
    fail("batching.maxBatchSize", `expected a positive integer, got ${describeValue(maxBatchSize)}`);
  }
  if (typeof maxQueueDelayMs !== "number" || !(maxQueueDelayMs >= 0)) {
    fail("batching.maxQueueDelayMs", `expected a non-negative number, got ${describeValue(maxQueueDelayMs)}`);
  }
  return { maxBatchSize: maxBatchSize as number, maxQueueDelayMs: maxQueueDelayMs as number };
}

function parseRename(raw: unknown, fail: Fail): Readonly<Record<string, string>> {
  if (raw === undefined) {
    return {};
  }
  if (!isRecord(raw) || !Object.values(raw).every((v) => typeof v === "string" && v !== "")) {
    return fail("rename", "expected a mapping of input names to output names");
  }
  return raw as Record<string, string>;
}

function optionalString(value: unknown, key: string, allowed: boolean, fail: Fail): Record<string, string> {
  if (value === undefined) {
    return {};
  }
  if (!allowed) {
    return fail(key, "does not apply to this runtime");
  }
  return typeof value === "string" && value !== "" ? { [key]: value } : fail(key, "expected a path");
}

function record(raw: unknown, path: string, fail: Fail, keys: readonly string[]): Raw {
  if (!isRecord(raw)) {
    return fail(path, `expected a mapping, got ${describeValue(raw)}`);
  }
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key)) {
      fail(`${path}.${key}`, `unknown key; expected one of ${keys.join(", ")}`);
    }
  }
  return raw;
}

function list(raw: unknown, path: string, fail: Fail): readonly unknown[] {
  if (raw === undefined) {
    return [];
  }
  return Array.isArray(raw) ? raw : fail(path, `expected a list, got ${describeValue(raw)}`);
}

function uniqueNames(names: readonly string[], path: string, fail: Fail): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      fail(path, `name '${name}' is used twice`);
    }
    seen.add(name);
  }
}

function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
