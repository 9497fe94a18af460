import type { CheckSpec, ExpectSpec, GrpcCodeName, JsonType, Mode } from "./case-schema.js";
import { deriveOutputs } from "./derive-outputs.js";
import { stringifyExactJson } from "./exact-json.js";
import type { Outcome, Sent } from "./outcome.js";
import type { OracleRequest } from "./read-request.js";
import type { OracleResponse } from "./read-response.js";
import { displayElement, type OracleTensor } from "./tensor-elements.js";

/**
 * Judges one response against its expectation. Returns the first difference as one line
 * (`<where>: expected <x>, got <y>`), or undefined when the response conforms. With `anyOf`, the
 * response must meet one of the alternatives whose status it has.
 */
export function checkOutcome(
  expect: ExpectSpec,
  outcome: Outcome,
  sent: Sent,
  mode: Mode,
): string | undefined {
  if (expect.anyOf === undefined) {
    return checkOne(expect, outcome, sent, mode);
  }
  const matching = expect.anyOf.filter(
    (alternative) => statusDifference(alternative, outcome, mode) === undefined,
  );
  if (matching.length === 0) {
    const wanted = expect.anyOf.flatMap((a) => list(wantedCodes(a, mode) ?? []));
    return outcome.code === undefined
      ? `status: expected ${wanted.join(" or ")}, got ${outcome.status} ${outcome.summary}`
      : `code: expected ${wanted.join(" or ")}, got ${outcome.summary}`;
  }
  let first: string | undefined;
  for (const alternative of matching) {
    const difference = checkOne(alternative, outcome, sent, mode);
    if (difference === undefined) {
      return undefined;
    }
    first ??= difference;
  }
  return first;
}

function wantedCodes(
  expect: ExpectSpec,
  mode: Mode,
): number | GrpcCodeName | readonly (number | GrpcCodeName)[] | undefined {
  return mode === "strict"
    ? (expect.strictStatus ?? expect.status ?? expect.strictCode ?? expect.code)
    : (expect.status ?? expect.code);
}

function statusDifference(expect: ExpectSpec, outcome: Outcome, mode: Mode): string | undefined {
  const statuses = mode === "strict" ? (expect.strictStatus ?? expect.status) : expect.status;
  if (statuses !== undefined && !list(statuses).includes(outcome.status as number)) {
    return `status: expected ${list(statuses).join(" or ")}, got ${outcome.status} ${outcome.summary}`;
  }
  const codes = mode === "strict" ? (expect.strictCode ?? expect.code) : expect.code;
  if (codes !== undefined && !list(codes).includes(outcome.code as GrpcCodeName)) {
    return `code: expected ${list(codes).join(" or ")}, got ${outcome.summary}`;
  }
  return undefined;
}

function checkOne(expect: ExpectSpec, outcome: Outcome, sent: Sent, mode: Mode): string | undefined {
  const status = statusDifference(expect, outcome, mode);
  if (status !== undefined) {
    return status;
  }
  const success = outcome.code === "OK" || (outcome.status !== undefined && outcome.status < 300);
  if (outcome.code !== undefined && !success) {
    // A failed gRPC call has a status and no message: there is nothing more to look at.
    return checkHeaders(expect, outcome);
  }
  return (
    checkContentType(expect, outcome, success) ??
    checkHeaders(expect, outcome) ??
    (expect.errorBody === true && !success ? checkErrorBody(outcome) : undefined) ??
    (expect.json === undefined ? undefined : subsetDifference(expect.json, outcome.json, "body")) ??
    (expect.checks ?? []).reduce<string | undefined>((d, c) => d ?? runCheck(c, outcome.json), undefined) ??
    (expect.binaryOutputs === undefined ? undefined : checkBinaryOutputs(expect.binaryOutputs, outcome)) ??
    (expect.derive !== undefined && success ? checkDerived(expect, outcome, sent) : undefined)
  );
}

/**
 * A REST body the expectation reads must be labelled as JSON (the OpenAPI document of the
 * specification gives every body as application/json), or, under the binary data extension
 * (Inference-Header-Content-Length set), as application/octet-stream or application/json.
 */
function checkContentType(expect: ExpectSpec, outcome: Outcome, success: boolean): string | undefined {
  if (outcome.status === undefined || !outcome.hasBody) {
    return undefined;
  }
  const readsBody =
    expect.json !== undefined ||
    expect.checks !== undefined ||
    expect.binaryOutputs !== undefined ||
    (expect.derive !== undefined && success) ||
    (expect.errorBody === true && !success);
  if (!readsBody) {
    return undefined;
  }
  const got = outcome.headers["content-type"];
  const media = got?.split(";")[0]?.trim().toLowerCase();
  const allowed =
    outcome.headers["inference-header-content-length"] === undefined
      ? ["application/json"]
      : ["application/octet-stream", "application/json"];
  if (media === undefined || !allowed.includes(media)) {
    return `content-type: expected ${allowed.join(" or ")}, got ${got === undefined ? "none" : JSON.stringify(got)}`;
  }
  return undefined;
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
      return `outputs.${name}.parameters.binary_data_size: expected a number, got ${show(out?.parameters?.binary_data_size)}`;
    }
  }
  return undefined;
}

function checkDerived(expect: ExpectSpec, outcome: Outcome, sent: Sent): string | undefined {
  let request: OracleRequest;
  try {
    request = sent.read();
  } catch (err) {
    return `case: the request does not read back, so outputs cannot be derived (${(err as Error).message})`;
  }
  const expected = deriveOutputs(expect.derive as NonNullable<ExpectSpec["derive"]>, request);
  let response: OracleResponse;
  try {
    response = outcome.read();
  } catch (err) {
    return `response: expected an inference response, got one that does not read: ${(err as Error).message}`;
  }
  if (sent.modelName !== undefined && response.modelName !== sent.modelName) {
    return `model_name: expected ${JSON.stringify(sent.modelName)}, got ${show(response.modelName)}`;
  }
  // The version used for inference (OIP inference_rest.md#inference-response-json-object): absent
  // from servers without versioning, else a string, and the requested one when a version was asked for.
  if (response.modelVersion !== undefined && response.modelVersion !== null) {
    if (typeof response.modelVersion !== "string") {
      return `model_version: expected a string, got ${show(response.modelVersion)}`;
    }
    if (sent.modelVersion !== undefined && response.modelVersion !== sent.modelVersion) {
      return `model_version: expected ${JSON.stringify(sent.modelVersion)} (the requested version), got ${JSON.stringify(response.modelVersion)}`;
    }
  }
  if (request.id !== undefined && response.id !== request.id) {
    return `id: expected ${JSON.stringify(request.id)}, got ${show(response.id)}`;
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
  const names = response.outputs.map((t) => t.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    return `outputs: ${duplicate} appears twice`;
  }
  const extra = response.outputs.find((t) => !expected.some((e) => e.name === t.name));
  if (extra !== undefined) {
    return `outputs: expected only ${JSON.stringify(expected.map((t) => t.name))}, got also ${extra.name}`;
  }
  return undefined;
}

function tensorDifference(want: OracleTensor, got: OracleTensor): string | undefined {
  if (got.datatype !== want.datatype) {
    return `datatype: expected ${want.datatype}, got ${got.datatype}`;
  }
  if (JSON.stringify(got.shape) !== JSON.stringify(want.shape)) {
    return `shape: expected ${JSON.stringify(want.shape)}, got ${JSON.stringify(got.shape)}`;
  }
  const a = want.elements;
  const b = got.elements;
  if (a.length !== b.length) {
    return `data: expected ${a.length} elements, got ${b.length}`;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return `data[${i}]: expected ${displayElement(want.datatype, a[i] as string)}, got ${displayElement(got.datatype, b[i] as string)}`;
    }
  }
  return undefined;
}

/** Expected objects match as subsets (extra keys allowed); arrays and scalars match exactly. */
export function subsetDifference(expected: unknown, actual: unknown, where: string): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${where}: expected ${show(expected)}, got ${show(actual)}`;
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
    : `${where}: expected ${show(expected)}, got ${show(actual)}`;
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
  const text = stringifyExactJson(value);
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
    return `${where}: expected one of ${show(check.oneOf)}, got ${show(value)}`;
  }
  if (check.includes !== undefined) {
    if (
      !Array.isArray(value) ||
      !value.some((v) => subsetDifference(check.includes, v, where) === undefined)
    ) {
      return `${where}: expected an array including ${show(check.includes)}, got ${show(value)}`;
    }
  }
  if (check.excludes !== undefined) {
    if (
      !Array.isArray(value) ||
      value.some((v) => subsetDifference(check.excludes, v, where) === undefined)
    ) {
      return `${where}: expected an array without ${show(check.excludes)}, got ${show(value)}`;
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
