import type { InferRequest, InferResponse, Tensor } from "@tensorwire/codec";
import type { CheckSpec, ExpectSpec, JsonType, Mode } from "./case-schema.js";
import { deriveOutputs } from "./derive-outputs.js";
import type { Outcome, Sent } from "./outcome.js";

/**
 * Judges one response against its expectation. Returns the first difference as one line
 * (`<where>: expected <x>, got <y>`), or undefined when the response conforms.
 */
export function checkOutcome(
  expect: ExpectSpec,
  outcome: Outcome,
  sent: Sent,
  mode: Mode,
): string | undefined {
  const wanted = mode === "strict" ? (expect.strictStatus ?? expect.status) : expect.status;
  if (wanted !== undefined && !list(wanted).includes(outcome.status as number)) {
    return `status: expected ${list(wanted).join(" or ")}, got ${outcome.status} ${outcome.summary}`;
  }
  const codes = mode === "strict" ? (expect.strictCode ?? expect.code) : expect.code;
  if (codes !== undefined && !list(codes).includes(outcome.code as never)) {
    return `code: expected ${list(codes).join(" or ")}, got ${outcome.summary}`;
  }
  const success = outcome.code === "OK" || (outcome.status !== undefined && outcome.status < 300);
  if (outcome.code !== undefined && !success) {
    // A failed gRPC call has a status and no message: there is nothing more to look at.
    return checkHeaders(expect, outcome);
  }
  return (
    checkHeaders(expect, outcome) ??
    (expect.errorBody === true && !success ? checkErrorBody(outcome) : undefined) ??
    (expect.json === undefined ? undefined : subsetDifference(expect.json, outcome.json, "body")) ??
    (expect.checks ?? []).reduce<string | undefined>((d, c) => d ?? runCheck(c, outcome.json), undefined) ??
    (expect.binaryOutputs === undefined ? undefined : checkBinaryOutputs(expect.binaryOutputs, outcome)) ??
    (expect.derive !== undefined && success ? checkDerived(expect, outcome, sent) : undefined)
  );
}

function list<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? value : [value as T];
}

function checkHeaders(expect: ExpectSpec, outcome: Outcome): string | undefined {
  for (const [name, value] of Object.entries(expect.headers ?? {})) {
    const got = outcome.headers[name.toLowerCase()];
    if (value === true && got === undefined) {
      return `header ${name}: expected present, got none`;
    }
    if (value === false && got !== undefined) {
      return `header ${name}: expected none, got ${JSON.stringify(got)}`;
    }
    if (typeof value === "string" && got !== value) {
      return `header ${name}: expected ${JSON.stringify(value)}, got ${got === undefined ? "none" : JSON.stringify(got)}`;
    }
  }
  return undefined;
}

function checkErrorBody(outcome: Outcome): string | undefined {
  const json = outcome.json as { error?: unknown } | undefined;
  if (outcome.status === undefined) {
    return undefined;
  }
  if (typeof json !== "object" || json === null || typeof json.error !== "string") {
    return `body: expected {"error": "<message>"}, got ${outcome.summary}`;
  }
  return undefined;
}

function checkBinaryOutputs(names: readonly string[], outcome: Outcome): string | undefined {
  if (outcome.headers["inference-header-content-length"] === undefined) {
    return "header inference-header-content-length: expected present, got none";
  }
  const outputs = (
    outcome.json as { outputs?: { name?: string; parameters?: { binary_data_size?: unknown } }[] }
  )?.outputs;
  for (const name of names) {
    const out = outputs?.find((o) => o.name === name);
    if (typeof out?.parameters?.binary_data_size !== "number") {
      return `outputs.${name}.parameters.binary_data_size: expected a number, got ${JSON.stringify(out?.parameters?.binary_data_size)}`;
    }
  }
  return undefined;
}

function checkDerived(expect: ExpectSpec, outcome: Outcome, sent: Sent): string | undefined {
  let request: InferRequest;
  try {
    request = sent.decode();
  } catch (err) {
    return `case: the request does not decode, so outputs cannot be derived (${(err as Error).message})`;
  }
  const expected = deriveOutputs(expect.derive as NonNullable<ExpectSpec["derive"]>, request);
  let response: InferResponse;
  try {
    response = outcome.decode();
  } catch (err) {
    return `response: expected an inference response, got one that does not decode: ${(err as Error).message}`;
  }
  if (sent.modelName !== undefined && response.modelName !== sent.modelName) {
    return `model_name: expected ${JSON.stringify(sent.modelName)}, got ${JSON.stringify(response.modelName)}`;
  }
  if (request.id !== undefined && response.id !== request.id) {
    return `id: expected ${JSON.stringify(request.id)}, got ${JSON.stringify(response.id)}`;
  }
  for (const want of expected) {
    const got = response.outputs.find((t) => t.name === want.name);
    if (got === undefined) {
      return `outputs: expected ${want.name}, got ${JSON.stringify(response.outputs.map((t) => t.name))}`;
    }
    const diff = tensorDifference(want, got);
    if (diff !== undefined) {
      return `outputs.${want.name}.${diff}`;
    }
  }
  const extra = response.outputs.find((t) => !expected.some((e) => e.name === t.name));
  if (extra !== undefined) {
    return `outputs: expected only ${JSON.stringify(expected.map((t) => t.name))}, got also ${extra.name}`;
  }
  return undefined;
}

function tensorDifference(want: Tensor, got: Tensor): string | undefined {
  if (got.datatype !== want.datatype) {
    return `datatype: expected ${want.datatype}, got ${got.datatype}`;
  }
  if (JSON.stringify(got.shape) !== JSON.stringify(want.shape)) {
    return `shape: expected ${JSON.stringify(want.shape)}, got ${JSON.stringify(got.shape)}`;
  }
  const a = elements(want);
  const b = elements(got);
  if (a.length !== b.length) {
    return `data: expected ${a.length} elements, got ${b.length}`;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return `data[${i}]: expected ${a[i]}, got ${b[i]}`;
    }
  }
  return undefined;
}

/**
 * Elements as comparable strings: bit-exact for floats (so NaN equals NaN and −0 differs from 0),
 * UTF-8 or hex for BYTES.
 */
function elements(tensor: Tensor): string[] {
  if (tensor.datatype === "BYTES") {
    return tensor.data.map((e) => {
      try {
        return JSON.stringify(new TextDecoder("utf-8", { fatal: true }).decode(e));
      } catch {
        return `0x${Buffer.from(e).toString("hex")}`;
      }
    });
  }
  if (tensor.datatype === "FP32" || tensor.datatype === "FP64") {
    return Array.from(tensor.data as Float32Array | Float64Array, (v) =>
      Object.is(v, -0) ? "-0" : String(v),
    );
  }
  return Array.from(tensor.data as ArrayLike<number | bigint>, (v) => String(v));
}

/** Expected objects match as subsets (extra keys allowed); arrays and scalars match exactly. */
export function subsetDifference(expected: unknown, actual: unknown, where: string): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${where}: expected ${JSON.stringify(expected)}, got ${show(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = subsetDifference(expected[i], actual[i], `${where}.${i}`);
      if (d !== undefined) {
        return d;
      }
    }
    return undefined;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) {
      return `${where}: expected an object, got ${show(actual)}`;
    }
    for (const [key, value] of Object.entries(expected)) {
      const d = subsetDifference(value, (actual as Record<string, unknown>)[key], `${where}.${key}`);
      if (d !== undefined) {
        return d;
      }
    }
    return undefined;
  }
  return scalarEquals(expected, actual)
    ? undefined
    : `${where}: expected ${JSON.stringify(expected)}, got ${show(actual)}`;
}

/** Numbers compare by value across number, bigint and proto3 JSON's int64-as-string. */
function scalarEquals(a: unknown, b: unknown): boolean {
  const numeric = (v: unknown) => typeof v === "number" || typeof v === "bigint";
  if (numeric(a) && (numeric(b) || (typeof b === "string" && /^-?\d+$/.test(b)))) {
    return String(a) === String(b);
  }
  return a === b;
}

function show(value: unknown): string {
  if (value === undefined) {
    return "nothing";
  }
  const text = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v));
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function at(json: unknown, path: string): unknown {
  if (path === "") {
    return json;
  }
  let node = json;
  for (const key of path.split(".")) {
    if (typeof node !== "object" || node === null) {
      return undefined;
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function typeOf(value: unknown): JsonType | "undefined" {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "array";
  }
  if (typeof value === "bigint") {
    return "number";
  }
  const t = typeof value;
  return t === "string" || t === "number" || t === "boolean" || t === "object" ? t : "undefined";
}

export function runCheck(check: CheckSpec, json: unknown): string | undefined {
  const where = check.path === "" ? "body" : check.path;
  const value = at(json, check.path);
  if (check.absent === true) {
    return value === undefined ? undefined : `${where}: expected absent, got ${show(value)}`;
  }
  if (check.type !== undefined && typeOf(value) !== check.type) {
    return `${where}: expected a ${check.type}, got ${show(value)}`;
  }
  if (check.equals !== undefined) {
    const d = subsetDifference(check.equals, value, where);
    if (d !== undefined) {
      return d;
    }
  }
  const present = value === undefined ? null : value;
  if (
    check.oneOf !== undefined &&
    !check.oneOf.some((o) => subsetDifference(o, present, where) === undefined)
  ) {
    return `${where}: expected one of ${JSON.stringify(check.oneOf)}, got ${show(value)}`;
  }
  if (check.includes !== undefined) {
    if (
      !Array.isArray(value) ||
      !value.some((v) => subsetDifference(check.includes, v, where) === undefined)
    ) {
      return `${where}: expected an array including ${JSON.stringify(check.includes)}, got ${show(value)}`;
    }
  }
  if (check.excludes !== undefined) {
    if (
      !Array.isArray(value) ||
      value.some((v) => subsetDifference(check.excludes, v, where) === undefined)
    ) {
      return `${where}: expected an array without ${JSON.stringify(check.excludes)}, got ${show(value)}`;
    }
  }
  if (check.min !== undefined && !(Number(value) >= check.min)) {
    return `${where}: expected at least ${check.min}, got ${show(value)}`;
  }
  if (check.matches !== undefined && !(typeof value === "string" && new RegExp(check.matches).test(value))) {
    return `${where}: expected a string matching /${check.matches}/, got ${show(value)}`;
  }
  return undefined;
}
