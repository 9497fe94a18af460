import type { BlobSpec } from "./blob-bytes.js";
import { expandTemplate } from "./datatype-samples.js";
import { type Datatype, datatypes, isDatatype } from "./datatype-table.js";

/**
 * The shape of a case file (`cases/<suite>/<topic>.yaml`), checked by `parseSuiteFile`.
 *
 * Why a hand-written check and not a `suite.proto` read with protobuf-es `fromJson`: the
 * interesting part of most cases is a request body that is deliberately wrong (ragged arrays,
 * strings in INT32 data, negative dims, a truncated binary frame). In a proto schema those bodies
 * would be `google.protobuf.Value`, untyped exactly where the cases differ, while the typed part
 * (names, levels, expectations) is small enough to check here with messages that name the file and
 * the key. It also keeps the suite out of `packages/proto`, whose generated tree others regenerate.
 * Unknown keys are errors, as `fromJson` would make them.
 */

/**
 * A requirement's strength, in RFC 2119's words: a failed MUST fails the run, SHOULD and MAY only count.
 */
export type Level = "MUST" | "SHOULD" | "MAY";
/** Every {@link Level}, strongest first. */
export const levels: readonly Level[] = ["MUST", "SHOULD", "MAY"];

/** How a response is judged where implementations legitimately differ (e.g. 400 vs 404 for unknown models). */
export type Mode = "spec" | "strict";

/** Expected outputs computed from the request's inputs, for the conformance models (see README). */
export type Derivation = "identity" | "add-sub" | "mixed-outputs";
const derivations: readonly Derivation[] = ["identity", "add-sub", "mixed-outputs"];

/** gRPC status names as in google.rpc.Code, plus OK. */
export const grpcCodeNames = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;
export type GrpcCodeName = (typeof grpcCodeNames)[number];

/** A REST request a case step sends. */
export interface HttpRequestSpec {
  /** The HTTP method. */
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  /** The path and query, e.g. `/v2/models/identity_fp32/infer`. */
  readonly path: string;
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body (content-type application/json unless `headers` says otherwise). */
  readonly json?: unknown;
  /** A body sent verbatim: malformed JSON, TF-Serving's NaN tokens. */
  readonly text?: string;
  /** Triton's binary data extension: `json` then the blobs; `headerLength` overrides the header value. */
  readonly binary?: {
    /** The JSON header of the binary request. */
    readonly json: unknown;
    /** The binary blobs after the JSON header, in order. */
    readonly blobs: readonly BlobSpec[];
    /** The `Inference-Header-Content-Length` value to send instead of the JSON header's real length. */
    readonly headerLength?: string;
  };
}

/** The `inference.GRPCInferenceService` methods a case step can call. */
export type GrpcMethodName =
  | "ServerLive"
  | "ServerReady"
  | "ServerMetadata"
  | "ModelReady"
  | "ModelMetadata"
  | "ModelInfer"
  | "ModelStatistics"
  | "RepositoryIndex"
  | "RepositoryModelLoad"
  | "RepositoryModelUnload";
/** Every {@link GrpcMethodName}, in the service's order. */
export const grpcMethodNames: readonly GrpcMethodName[] = [
  "ServerLive",
  "ServerReady",
  "ServerMetadata",
  "ModelReady",
  "ModelMetadata",
  "ModelInfer",
  "ModelStatistics",
  "RepositoryIndex",
  "RepositoryModelLoad",
  "RepositoryModelUnload",
];

/** A gRPC request a case step sends to the OIP service. */
export interface GrpcRequestSpec {
  /** The RPC to call. */
  readonly method: GrpcMethodName;
  /**
   * The request message in proto3 JSON. ModelInfer inputs may carry `values` instead of
   * `contents`: the runner puts them in the datatype's contents field.
   */
  readonly message?: unknown;
  /** `raw_input_contents`, in order. */
  readonly raw?: readonly BlobSpec[];
  /** Request metadata. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A case step's request: REST or gRPC. */
export type RequestSpec =
  | {
      /** A REST request. */
      readonly http: HttpRequestSpec;
    }
  | {
      /** A gRPC request. */
      readonly grpc: GrpcRequestSpec;
    };

/** The JSON value types a {@link CheckSpec} can require. */
export type JsonType = "string" | "number" | "boolean" | "array" | "object" | "null";
const jsonTypes: readonly JsonType[] = ["string", "number", "boolean", "array", "object", "null"];

/** One assertion on the response JSON (REST body or JSON header; gRPC message as proto JSON). */
export interface CheckSpec {
  /** Dotted path with numeric indexes, e.g. `outputs.0.shape`; "" is the whole document. */
  readonly path: string;
  /** The value deep-equals this. */
  readonly equals?: unknown;
  /** The value has this JSON type. */
  readonly type?: JsonType;
  /** `true`: nothing is at `path`; `false`: something is. */
  readonly absent?: boolean;
  /** The value equals one of these; `null` also matches an absent value. */
  readonly oneOf?: readonly unknown[];
  /** The array at `path` has an element deep-equal to this, or (for objects) one that matches it as a subset. */
  readonly includes?: unknown;
  /** No element of the array at `path` matches this subset. */
  readonly excludes?: unknown;
  /** The value is a number at least this large. */
  readonly min?: number;
  /** The value is a string matching this regular expression. */
  readonly matches?: string;
}

/** What a step's response must be; unset keys are not checked. */
export interface ExpectSpec {
  /** HTTP status, or the accepted statuses. */
  readonly status?: number | readonly number[];
  /** In strict mode, replaces `status`. */
  readonly strictStatus?: number | readonly number[];
  /** gRPC status name, or the accepted names. */
  readonly code?: GrpcCodeName | readonly GrpcCodeName[];
  /** In strict mode, replaces `code`. */
  readonly strictCode?: GrpcCodeName | readonly GrpcCodeName[];
  /** On success: outputs, model name and id must be what the model computes from the request. */
  readonly derive?: Derivation;
  /** On failure: the body must be OIP's `{"error": "<message>"}`. */
  readonly errorBody?: boolean;
  /** The body is a JSON object containing these keys and values (recursively, arrays exactly). */
  readonly json?: unknown;
  /** Assertions on values in the response. */
  readonly checks?: readonly CheckSpec[];
  /** Response headers (case-insensitive names): exact values, or `true` for "present". */
  readonly headers?: Readonly<Record<string, string | boolean>>;
  /** The response used the binary data extension for these outputs (REST). */
  readonly binaryOutputs?: readonly string[];
  /**
   * Alternatives, each with its own status or code: the response must meet one whose status it
   * has (e.g. 200 with the coerced value, or 400 with an error body). Alone in its expectation.
   */
  readonly anyOf?: readonly ExpectSpec[];
}

/** One request of a case and what its response must be. */
export interface Step {
  /** The request sent. */
  readonly request: RequestSpec;
  /** What the response must be. */
  readonly expect: ExpectSpec;
}

/**
 * Preconditions; an unmet one skips the case with its reason. `probe` is a request whose failure
 * means the server lacks the feature (a dialect's endpoint, load/unload in its control mode).
 */
export interface Requirements {
  /** Extensions the server's metadata must list. */
  readonly extensions?: readonly string[];
  /** Models that must be ready. */
  readonly models?: readonly string[];
  /** A request that must succeed for the case to run. */
  readonly probe?: ProbeSpec;
}

/**
 * A request whose failure means the server lacks a feature a case needs; the case is then skipped with
 * `reason`.
 */
export interface ProbeSpec {
  /** Sent to the endpoint the case's steps use: a REST probe for REST cases, gRPC for gRPC ones. */
  readonly request: RequestSpec;
  /** For a REST probe. */
  readonly status?: number | readonly number[];
  /** For a gRPC probe. */
  readonly code?: GrpcCodeName | readonly GrpcCodeName[];
  /** The probe's response must carry this header (or gRPC metadata entry). */
  readonly header?: string;
  /** Says what the server lacks when the probe fails. */
  readonly reason: string;
}

/** One conformance case as a case file writes it. */
export interface CaseSpec {
  /** Kebab-case with `/` levels; `{dt}` and `{dtl}` expand per datatype. */
  readonly name: string;
  /** What is checked, in the spec's words where it has them. */
  readonly requirement: string;
  /** How strong the requirement is. */
  readonly level: Level;
  /** The spec section: a URL with an anchor. */
  readonly spec: string;
  /** The datatype this case was expanded for, when its file lists `datatypes` (see `expandTemplate`). */
  readonly datatype?: Datatype;
  /** Preconditions beyond the file's own. */
  readonly requires?: Requirements;
  /** The requests, sent in order, and what each response must be. */
  readonly steps: readonly Step[];
}

/** Where a file's requirements and levels come from. */
export interface SourceSpec {
  /** The document or implementation, e.g. "OIP REST specification" or "Triton". */
  readonly name: string;
  /** Where it is published. */
  readonly url: string;
  /** What the file takes from it. */
  readonly follows: string;
}

/**
 * A parsed case file: a suite's cases on one topic. {@link parseSuiteFile} checks a YAML document against
 * it.
 */
export interface SuiteFile {
  /** The suite's name, e.g. `oip-rest`; cases of files with one suite name form one suite. */
  readonly suite: string;
  /** What the file covers. */
  readonly description: string;
  /**
   * An optional suite covers an extension or a dialect a server may lack: its skips are allowed.
   * Skips in other suites count against `maxSkipped`. Every file of a suite says the same.
   */
  readonly optional: boolean;
  /** The specifications and reference servers the file follows, in the order it follows them. */
  readonly sources: readonly SourceSpec[];
  /** Preconditions of every case in the file. */
  readonly requires?: Requirements;
  /** The file's cases, in file order. */
  readonly cases: readonly CaseSpec[];
}

type Json = { readonly [key: string]: unknown };

class SchemaError extends Error {}

function fail(where: string, message: string): never {
  throw new SchemaError(`${where}: ${message}`);
}

function object(value: unknown, where: string, allowed: readonly string[]): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(where, `expected an object, got ${JSON.stringify(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      fail(where, `unknown key '${key}'; expected one of ${allowed.join(", ")}`);
    }
  }
  return value as Json;
}

function string(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") {
    fail(where, `expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optional<T>(value: unknown, read: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : read(value);
}

function array<T>(value: unknown, where: string, read: (v: unknown, where: string) => T): T[] {
  if (!Array.isArray(value)) {
    fail(where, `expected an array, got ${JSON.stringify(value)}`);
  }
  return value.map((v, i) => read(v, `${where}[${i}]`));
}

function oneOf<T extends string>(value: unknown, where: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    fail(where, `expected one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function statusList(value: unknown, where: string): number | number[] {
  const one = (v: unknown, w: string) => {
    if (!Number.isInteger(v) || (v as number) < 100 || (v as number) > 599) {
      fail(w, `expected an HTTP status, got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  return Array.isArray(value) ? array(value, where, one) : one(value, where);
}

function codeList(value: unknown, where: string): GrpcCodeName | GrpcCodeName[] {
  return Array.isArray(value)
    ? array(value, where, (v, w) => oneOf(v, w, grpcCodeNames))
    : oneOf(value, where, grpcCodeNames);
}

function blob(value: unknown, where: string): BlobSpec {
  const o = object(value, where, ["datatype", "values", "hex"]);
  if (o.hex !== undefined) {
    if (typeof o.hex !== "string") {
      fail(`${where}.hex`, 'expected a string ("" for no bytes)');
    }
    const hex = o.hex.replace(/\s+/g, "");
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) {
      fail(`${where}.hex`, "expected pairs of hex digits");
    }
    return { hex };
  }
  return {
    datatype: datatypeOf(o.datatype, `${where}.datatype`),
    values: array(o.values, `${where}.values`, (v) => v),
  };
}

function datatypeOf(value: unknown, where: string): Datatype {
  // Case templates write `$dt`, replaced before parsing; anything else must be an OIP datatype.
  if (!isDatatype(value)) {
    fail(where, `expected an OIP datatype, got ${JSON.stringify(value)}`);
  }
  return value;
}

function headerMap(value: unknown, where: string): Record<string, string> {
  const o = object(value, where, Object.keys(value as object));
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, string(v, `${where}.${k}`)]));
}

function httpRequest(value: unknown, where: string): HttpRequestSpec {
  const o = object(value, where, ["method", "path", "headers", "json", "text", "binary"]);
  const bodies = ["json", "text", "binary"].filter((k) => o[k] !== undefined);
  if (bodies.length > 1) {
    fail(where, `at most one of json, text, binary; got ${bodies.join(", ")}`);
  }
  const path = string(o.path, `${where}.path`);
  if (!path.startsWith("/")) {
    fail(`${where}.path`, "expected an absolute path");
  }
  const binary = optional(o.binary, (v) => {
    const b = object(v, `${where}.binary`, ["json", "blobs", "headerLength"]);
    return {
      json: b.json,
      blobs: array(b.blobs ?? [], `${where}.binary.blobs`, blob),
      ...(b.headerLength === undefined ? {} : { headerLength: String(b.headerLength) }),
    };
  });
  return {
    method: oneOf(o.method, `${where}.method`, ["GET", "POST", "PUT", "DELETE", "HEAD"]),
    path,
    ...(o.headers === undefined ? {} : { headers: headerMap(o.headers, `${where}.headers`) }),
    ...(o.json === undefined ? {} : { json: o.json }),
    ...(o.text === undefined
      ? {}
      : { text: typeof o.text === "string" ? o.text : fail(where, "text: string") }),
    ...(binary === undefined ? {} : { binary }),
  };
}

function grpcRequest(value: unknown, where: string): GrpcRequestSpec {
  const o = object(value, where, ["method", "message", "raw", "headers"]);
  return {
    method: oneOf(o.method, `${where}.method`, grpcMethodNames),
    ...(o.message === undefined ? {} : { message: o.message }),
    ...(o.raw === undefined ? {} : { raw: array(o.raw, `${where}.raw`, blob) }),
    ...(o.headers === undefined ? {} : { headers: headerMap(o.headers, `${where}.headers`) }),
  };
}

function request(value: unknown, where: string): RequestSpec {
  const o = object(value, where, ["http", "grpc"]);
  if ((o.http === undefined) === (o.grpc === undefined)) {
    fail(where, "expected exactly one of http, grpc");
  }
  return o.http !== undefined
    ? { http: httpRequest(o.http, `${where}.http`) }
    : { grpc: grpcRequest(o.grpc, `${where}.grpc`) };
}

function check(value: unknown, where: string): CheckSpec {
  const o = object(value, where, [
    "path",
    "equals",
    "type",
    "absent",
    "oneOf",
    "includes",
    "excludes",
    "min",
    "matches",
  ]);
  if (typeof o.path !== "string") {
    fail(`${where}.path`, "expected a string");
  }
  const ops = ["equals", "type", "absent", "oneOf", "includes", "excludes", "min", "matches"].filter(
    (k) => o[k] !== undefined,
  );
  if (ops.length === 0) {
    fail(where, "expected an assertion (equals, type, absent, oneOf, includes, excludes, min, matches)");
  }
  if (o.type !== undefined) {
    oneOf(o.type, `${where}.type`, jsonTypes);
  }
  if (o.matches !== undefined) {
    new RegExp(string(o.matches, `${where}.matches`));
  }
  if (o.min !== undefined && typeof o.min !== "number") {
    fail(`${where}.min`, "expected a number");
  }
  if (o.oneOf !== undefined) {
    array(o.oneOf, `${where}.oneOf`, (v) => v);
  }
  return o as unknown as CheckSpec;
}

function expectation(value: unknown, where: string, grpc: boolean): ExpectSpec {
  if (typeof value === "object" && value !== null && "anyOf" in value) {
    const o = object(value, where, ["anyOf"]);
    const alternatives = array(o.anyOf, `${where}.anyOf`, (v, w) => expectation(v, w, grpc));
    if (alternatives.length < 2) {
      fail(`${where}.anyOf`, "expected at least two alternatives");
    }
    return { anyOf: alternatives };
  }
  const o = object(value, where, [
    "status",
    "strictStatus",
    "code",
    "strictCode",
    "derive",
    "errorBody",
    "json",
    "checks",
    "headers",
    "binaryOutputs",
  ]);
  if (grpc ? o.code === undefined : o.status === undefined) {
    fail(where, grpc ? "a gRPC step expects a code" : "an HTTP step expects a status");
  }
  if (grpc ? o.status !== undefined || o.strictStatus !== undefined : o.code !== undefined) {
    fail(where, grpc ? "a gRPC step has codes, not statuses" : "an HTTP step has statuses, not codes");
  }
  const headers = optional(o.headers, (v) => {
    const h = object(v, `${where}.headers`, Object.keys(v as object));
    for (const [k, hv] of Object.entries(h)) {
      if (typeof hv !== "string" && typeof hv !== "boolean") {
        fail(`${where}.headers.${k}`, "expected a string or a boolean");
      }
    }
    return h as Record<string, string | boolean>;
  });
  return {
    ...(o.status === undefined ? {} : { status: statusList(o.status, `${where}.status`) }),
    ...(o.strictStatus === undefined
      ? {}
      : { strictStatus: statusList(o.strictStatus, `${where}.strictStatus`) }),
    ...(o.code === undefined ? {} : { code: codeList(o.code, `${where}.code`) }),
    ...(o.strictCode === undefined ? {} : { strictCode: codeList(o.strictCode, `${where}.strictCode`) }),
    ...(o.derive === undefined ? {} : { derive: oneOf(o.derive, `${where}.derive`, derivations) }),
    ...(o.errorBody === undefined
      ? {}
      : { errorBody: typeof o.errorBody === "boolean" ? o.errorBody : fail(where, "errorBody: boolean") }),
    ...(o.json === undefined ? {} : { json: o.json }),
    ...(o.checks === undefined ? {} : { checks: array(o.checks, `${where}.checks`, check) }),
    ...(headers === undefined ? {} : { headers }),
    ...(o.binaryOutputs === undefined
      ? {}
      : { binaryOutputs: array(o.binaryOutputs, `${where}.binaryOutputs`, string) }),
  };
}

function step(value: unknown, where: string): Step {
  const o = object(value, where, ["request", "expect"]);
  const req = request(o.request, `${where}.request`);
  return { request: req, expect: expectation(o.expect, `${where}.expect`, "grpc" in req) };
}

function requirements(value: unknown, where: string): Requirements {
  const o = object(value, where, ["extensions", "models", "probe"]);
  const probe = optional(o.probe, (v) => {
    const p = object(v, `${where}.probe`, ["request", "status", "code", "header", "reason"]);
    const req = request(p.request, `${where}.probe.request`);
    if (
      "http" in req
        ? p.status === undefined || p.code !== undefined
        : p.code === undefined || p.status !== undefined
    ) {
      fail(`${where}.probe`, "a REST probe expects a status, a gRPC probe a code");
    }
    return {
      request: req,
      ...(p.status === undefined ? {} : { status: statusList(p.status, `${where}.probe.status`) }),
      ...(p.code === undefined ? {} : { code: codeList(p.code, `${where}.probe.code`) }),
      ...(p.header === undefined ? {} : { header: string(p.header, `${where}.probe.header`) }),
      reason: string(p.reason, `${where}.probe.reason`),
    };
  });
  return {
    ...(o.extensions === undefined ? {} : { extensions: array(o.extensions, `${where}.extensions`, string) }),
    ...(o.models === undefined ? {} : { models: array(o.models, `${where}.models`, string) }),
    ...(probe === undefined ? {} : { probe }),
  };
}

const caseNamePattern = /^[a-z0-9{}]+(?:[-_.][a-z0-9{}]+)*(?:\/[a-z0-9{}]+(?:[-_.][a-z0-9{}]+)*)*$/;

/** A case as written, expanded once per listed datatype (`datatypes: all` or a list). */
function caseSpecs(value: unknown, where: string): CaseSpec[] {
  const raw = object(value, where, Object.keys(value as object));
  if (raw.datatypes === undefined) {
    return [caseSpec(raw, where)];
  }
  const dts =
    raw.datatypes === "all" ? [...datatypes] : array(raw.datatypes, `${where}.datatypes`, datatypeOf);
  const { datatypes: _, ...template } = raw;
  return dts.map((dt) => ({ ...caseSpec(expandTemplate(template, dt), `${where}(${dt})`), datatype: dt }));
}

function caseSpec(value: unknown, where: string): CaseSpec {
  const o = object(value, where, [
    "name",
    "requirement",
    "level",
    "spec",
    "requires",
    "steps",
    "request",
    "expect",
  ]);
  const name = string(o.name, `${where}.name`);
  if (!caseNamePattern.test(name)) {
    fail(`${where}.name`, `expected kebab-case levels separated by '/', got '${name}'`);
  }
  const spec = string(o.spec, `${where}.spec`);
  if (!/^https:\/\/\S+$/.test(spec)) {
    fail(`${where}.spec`, "expected an https URL");
  }
  if ((o.steps === undefined) === (o.request === undefined)) {
    fail(where, "expected either steps or request/expect");
  }
  const steps =
    o.steps === undefined
      ? [step({ request: o.request, expect: o.expect }, where)]
      : array(o.steps, `${where}.steps`, step);
  return {
    name,
    requirement: string(o.requirement, `${where}.requirement`),
    level: oneOf(o.level, `${where}.level`, levels),
    spec,
    ...(o.requires === undefined ? {} : { requires: requirements(o.requires, `${where}.requires`) }),
    steps,
  };
}

/** Checks a parsed YAML document against the case schema, expanding templated cases. */
export function parseSuiteFile(doc: unknown, where: string): SuiteFile {
  const o = object(doc, where, ["suite", "description", "optional", "sources", "requires", "cases"]);
  if (typeof o.optional !== "boolean") {
    fail(`${where}.optional`, "expected true (an extension or dialect a server may lack) or false");
  }
  const sources = array(o.sources, `${where}.sources`, (v, w) => {
    const s = object(v, w, ["name", "url", "follows"]);
    const url = string(s.url, `${w}.url`);
    if (!/^https:\/\/\S+$/.test(url)) {
      fail(`${w}.url`, "expected an https URL");
    }
    return { name: string(s.name, `${w}.name`), url, follows: string(s.follows, `${w}.follows`) };
  });
  if (sources.length === 0) {
    fail(`${where}.sources`, "expected at least one source");
  }
  return {
    suite: string(o.suite, `${where}.suite`),
    description: string(o.description, `${where}.description`),
    optional: o.optional,
    sources,
    ...(o.requires === undefined ? {} : { requires: requirements(o.requires, `${where}.requires`) }),
    cases: array(o.cases, `${where}.cases`, caseSpecs).flat(),
  };
}

export { SchemaError };
