import { type Datatype, datatypeInfo } from "../datatype.js";
import { invalidArgument } from "../error.js";
import { halfToNumber } from "../fp16.js";
import type { InferRequest, InferResponse, RequestedOutput } from "../infer.js";
import { describeValue } from "../internal/describe-value.js";
import { checkUniqueNames } from "../internal/unique-names.js";
import type { JsonValue } from "../json-text.js";
import { elementCount, formatShape, parseShape } from "../shape.js";
import { createTensor, type Parameters, type ParameterValue, type Tensor } from "../tensor.js";
import { tensorDataFromValues } from "../tensor-data-from-values.js";
import { responseWithoutNulls } from "./response-nulls.js";

/**
 * OIP REST JSON (`$inference_request` / `$inference_response`) to and from the in-memory model.
 *
 * JSON choices, each made so that no value changes silently:
 * - Data may be flat or nested in the tensor's exact shape; encoders write it flat. Ragged nesting
 *   and nesting in another shape are errors.
 * - BOOL accepts only `true`/`false`: 0/1 are refused, as Triton does, so a probability or a count
 *   sent to a BOOL input is caught instead of truncated.
 * - Integers must be JSON integers within the datatype's range (300 in UINT8 is an error, 1.5 in
 *   INT32 is an error). INT64/UINT64 accept safe integers (|n| < 2^53) as numbers and larger ones as
 *   `bigint`, which `parseJsonText` produces from the exact digits; a larger plain number is refused
 *   because `JSON.parse` may already have rounded it. Encoders write values beyond 2^53 as `bigint`,
 *   which `stringifyJsonText` writes exactly (`JSON.stringify` throws on them).
 * - FP16 is accepted and written as JSON numbers, unlike Triton and KServe, which refuse it: every
 *   half value is exactly a double, so writing is lossless and reading rounds to nearest even, just
 *   as FP32 rounds JSON doubles. Only NaN payloads are lost.
 * - JSON has no NaN or infinities. Encoders write them as the strings "NaN", "Infinity" and
 *   "-Infinity" (the protobuf JSON mapping's spelling); decoders accept those strings and also
 *   non-finite numbers (from `parseJsonText` with `nonFiniteTokens`). NaN payloads are not kept.
 * - BYTES elements are JSON strings, carried as their UTF-8 bytes. Encoding bytes that are not valid
 *   UTF-8 is an error telling the caller to use binary data (or raw contents): JSON cannot carry
 *   them and a replacement character would change the data. Strings with lone surrogates are
 *   refused for the same reason.
 * - Parameters are strings, numbers, booleans or (beyond 2^53) `bigint`; anything else is an error.
 */

/** Parameters as REST JSON carries them. */
export type RestParameters = { [key: string]: string | number | boolean | bigint };

/** An input of a request or an output of a response, as REST JSON carries it. */
export type RestTensor = {
  /** The tensor's name. */
  name: string;
  /** Its dimensions. */
  shape: number[];
  /** Its datatype. */
  datatype: Datatype;
  /** Its parameters (Triton's `binary_data_size` among them for binary data). */
  parameters?: RestParameters;
  /** Its elements, flat; absent when they travel as binary data. */
  data?: JsonValue[];
};

/** An entry of a REST request's `outputs`. */
export type RestRequestedOutput = {
  /** The output's name. */
  name: string;
  /** Its parameters, e.g. `binary_data`. */
  parameters?: RestParameters;
};

/**
 * A REST inference request body (`$inference_request`) as a JSON value. A type alias, not an
 * interface, so that it is assignable to `JsonValue` and can be passed to `stringifyJsonText`.
 */
export type RestInferRequest = {
  /** The request id. */
  id?: string;
  /** Request parameters. */
  parameters?: RestParameters;
  /** The inputs. */
  inputs: RestTensor[];
  /** The outputs asked for; absent means all. */
  outputs?: RestRequestedOutput[];
};

/** A REST inference response body (`$inference_response`) as a JSON value. */
export type RestInferResponse = {
  /** The model that answered. */
  model_name: string;
  /** Its version, when the server has versions. */
  model_version?: string;
  /** The request's id. */
  id?: string;
  /** Response parameters. */
  parameters?: RestParameters;
  /** The outputs. */
  outputs: RestTensor[];
};

type JsonObject = { readonly [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads one input or output object (`{name, shape, datatype, parameters, data}`) as a tensor.
 *
 * @example
 * tensorFromJson({ name: "x", shape: [2], datatype: "INT32", data: [1, 2] }).data; // Int32Array [1, 2]
 */
export function tensorFromJson(json: unknown): Tensor {
  return tensorFromJsonAt(json, "tensor");
}

/**
 * Reads one tensor object; `where` names it in errors until its name is known.
 * @private Internal code, does not follow semantic versioning.
 */
export function tensorFromJsonAt(json: unknown, where: string): Tensor {
  const header = tensorHeaderFromJson(json, where);
  if (!("data" in header.json)) {
    throw invalidArgument(`tensor '${header.name}': missing data`, { tensor: header.name, field: "data" });
  }
  return tensorFromJsonData(header, header.json.data);
}

/**
 * The name, datatype, shape and parameters of a tensor object, checked.
 * @private Internal code, does not follow semantic versioning.
 */
export function tensorHeaderFromJson(
  json: unknown,
  where: string,
): {
  name: string;
  datatype: Datatype;
  shape: number[];
  parameters: Parameters | undefined;
  json: JsonObject;
} {
  if (!isObject(json)) {
    throw invalidArgument(`${where}: expected an object, got ${describeValue(json)}`, { field: where });
  }
  const name = json.name;
  if (typeof name !== "string") {
    throw invalidArgument(`${where}.name: expected a string, got ${describeValue(name)}`, { field: "name" });
  }
  const datatype = datatypeInfo(json.datatype, name).datatype;
  const shape = parseShape(json.shape);
  if (!shape.ok) {
    throw invalidArgument(`tensor '${name}': ${shape.error}`, { tensor: name, field: "shape" });
  }
  const parameters = parametersFromJson(json.parameters, `tensor '${name}': parameters`, name);
  return { name, datatype, shape: shape.value, parameters, json };
}

/**
 * Builds a tensor from its checked header and JSON data.
 * @private Internal code, does not follow semantic versioning.
 */
export function tensorFromJsonData(
  header: { name: string; datatype: Datatype; shape: number[]; parameters: Parameters | undefined },
  data: unknown,
): Tensor {
  const { name, shape } = header;
  const info = datatypeInfo(header.datatype, name);
  const leaves = flattenData(data, shape, name);
  const nested = leaves !== data;
  const expected = elementCount(shape);
  if (leaves.length !== expected) {
    throw invalidArgument(
      `tensor '${name}': expected ${expected} elements for shape ${formatShape(shape)}, got ${leaves.length}`,
      { tensor: name, field: "data" },
    );
  }
  const values = tensorDataFromValues(info.datatype, leaves, {
    tensor: name,
    field: "data",
    nestedShape: nested ? shape : undefined,
    nonFinite: "string",
  });
  return createTensor({ ...header, data: values });
}

/**
 * Flat data is returned as is; nested data must follow the shape exactly, level by level.
 */
function flattenData(data: unknown, shape: readonly number[], tensor: string): readonly unknown[] {
  if (!Array.isArray(data)) {
    throw invalidArgument(`tensor '${tensor}': data: expected an array, got ${describeValue(data)}`, {
      tensor,
      field: "data",
    });
  }
  if (shape.length < 2 || !Array.isArray(data[0])) {
    return data;
  }
  const leaves: unknown[] = [];
  collectLeaves(data, shape, 0, "data", leaves, tensor);
  return leaves;
}

function collectLeaves(
  level: unknown,
  shape: readonly number[],
  depth: number,
  path: string,
  leaves: unknown[],
  tensor: string,
): void {
  const dim = shape[depth] as number;
  if (!Array.isArray(level) || level.length !== dim) {
    throw invalidArgument(
      `tensor '${tensor}': ragged data: expected ${path} to be an array of ${dim} for shape ${formatShape(shape)}, got ${describeValue(level)}`,
      { tensor, field: "data" },
    );
  }
  if (depth === shape.length - 1) {
    for (const leaf of level) {
      leaves.push(leaf);
    }
    return;
  }
  for (let i = 0; i < dim; i++) {
    collectLeaves(level[i], shape, depth + 1, `${path}[${i}]`, leaves, tensor);
  }
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

// ignoreBOM keeps a leading U+FEFF as data instead of dropping it.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Writes one tensor as an input or output object; data is written flat. BYTES that are not UTF-8
 * are an error (send them as binary data).
 */
export function tensorToJson(tensor: Tensor): RestTensor {
  const json: RestTensor = {
    name: tensor.name,
    shape: [...tensor.shape],
    datatype: tensor.datatype,
  };
  if (tensor.parameters !== undefined) {
    json.parameters = parametersToJson(tensor.parameters);
  }
  json.data = dataToJson(tensor);
  return json;
}

function floatToJson(v: number): number | string {
  if (Number.isFinite(v)) {
    return v;
  }
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

function dataToJson(tensor: Tensor): JsonValue[] {
  const n = tensor.data.length;
  const out: JsonValue[] = new Array(n);
  switch (tensor.datatype) {
    case "BOOL":
      for (let i = 0; i < n; i++) {
        out[i] = tensor.data[i] !== 0;
      }
      return out;
    case "UINT8":
    case "UINT16":
    case "UINT32":
    case "INT8":
    case "INT16":
    case "INT32":
      for (let i = 0; i < n; i++) {
        out[i] = tensor.data[i] as number;
      }
      return out;
    case "UINT64":
    case "INT64":
      for (let i = 0; i < n; i++) {
        const v = tensor.data[i] as bigint;
        out[i] = v >= -maxSafe && v <= maxSafe ? Number(v) : v;
      }
      return out;
    case "FP16":
      for (let i = 0; i < n; i++) {
        out[i] = floatToJson(halfToNumber(tensor.data[i] as number));
      }
      return out;
    case "FP32":
    case "FP64":
      for (let i = 0; i < n; i++) {
        out[i] = floatToJson(tensor.data[i] as number);
      }
      return out;
    case "BYTES":
      for (let i = 0; i < n; i++) {
        out[i] = bytesToString(tensor.data[i] as Uint8Array, tensor.name, i);
      }
      return out;
  }
}

function bytesToString(bytes: Uint8Array, tensor: string, index: number): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw invalidArgument(
      `tensor '${tensor}': BYTES element ${index} is not valid UTF-8, which JSON strings cannot carry: send this tensor as binary data (or gRPC raw contents)`,
      { tensor, field: "data" },
    );
  }
}

/**
 * Reads a JSON parameters object (strings, numbers, booleans, bigints beyond 2^53); absent stays
 * undefined, anything else is an `invalid_argument` error that names `where` (and `tensor`).
 *
 * @example
 * parametersFromJson({ unload_dependents: true }, "parameters"); // { unload_dependents: true }
 * @private Internal code, does not follow semantic versioning.
 */
export function parametersFromJson(json: unknown, where: string, tensor?: string): Parameters | undefined {
  if (json === undefined) {
    return undefined;
  }
  if (!isObject(json)) {
    throw invalidArgument(`${where}: expected an object, got ${describeValue(json)}`, {
      tensor,
      field: "parameters",
    });
  }
  const out: Record<string, ParameterValue> = {};
  for (const [key, value] of Object.entries(json)) {
    if (
      typeof value !== "string" &&
      typeof value !== "number" &&
      typeof value !== "boolean" &&
      typeof value !== "bigint"
    ) {
      throw invalidArgument(
        `${where}: parameter '${key}' must be a string, number or boolean, got ${describeValue(value)}`,
        { tensor, field: "parameters" },
      );
    }
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return out;
}

/** @private Internal code, does not follow semantic versioning. */
export function parametersToJson(parameters: Parameters): RestParameters {
  const out: RestParameters = {};
  for (const [key, value] of Object.entries(parameters)) {
    Object.defineProperty(out, key, {
      value: typeof value === "bigint" && value >= -maxSafe && value <= maxSafe ? Number(value) : value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}

function optionalString(json: JsonObject, key: string): string | undefined {
  const value = json[key];
  if (value !== undefined && typeof value !== "string") {
    throw invalidArgument(`${key}: expected a string, got ${describeValue(value)}`, { field: key });
  }
  return value;
}

function arrayField(json: JsonObject, key: string, required: boolean): readonly unknown[] | undefined {
  const value = json[key];
  if (value === undefined && !required) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    throw invalidArgument(`${key}: expected an array, got ${describeValue(value)}`, { field: key });
  }
  return value;
}

/**
 * Reads one input/output object; formats that carry data elsewhere (Triton's binary data) pass
 * their own.
 * @private Internal code, does not follow semantic versioning.
 */
export type TensorFromJson = (json: unknown, where: string) => Tensor;

/** @private Internal code, does not follow semantic versioning. */
export function requestFromJson(json: unknown, readTensor: TensorFromJson): InferRequest {
  if (!isObject(json)) {
    throw invalidArgument(`inference request: expected a JSON object, got ${describeValue(json)}`);
  }
  const id = optionalString(json, "id");
  const parameters = parametersFromJson(json.parameters, "parameters");
  const inputs = (arrayField(json, "inputs", true) as readonly unknown[]).map((t, i) =>
    readTensor(t, `inputs[${i}]`),
  );
  checkUniqueNames(inputs, "input");
  const outputsJson = arrayField(json, "outputs", false);
  const outputs = outputsJson?.map((o, i) => requestedOutputFromJson(o, `outputs[${i}]`));
  if (outputs !== undefined) {
    checkUniqueNames(outputs, "output");
  }
  return {
    ...(id === undefined ? {} : { id }),
    ...(parameters === undefined ? {} : { parameters }),
    inputs,
    ...(outputs === undefined ? {} : { outputs }),
  };
}

function requestedOutputFromJson(json: unknown, where: string): RequestedOutput {
  if (!isObject(json)) {
    throw invalidArgument(`${where}: expected an object, got ${describeValue(json)}`, { field: "outputs" });
  }
  const name = json.name;
  if (typeof name !== "string") {
    throw invalidArgument(`${where}.name: expected a string, got ${describeValue(name)}`, {
      field: "outputs",
    });
  }
  const parameters = parametersFromJson(json.parameters, `output '${name}': parameters`, name);
  return parameters === undefined ? { name } : { name, parameters };
}

/** @private Internal code, does not follow semantic versioning. */
export function responseFromJson(body: unknown, readTensor: TensorFromJson): InferResponse {
  const json = responseWithoutNulls(body);
  if (!isObject(json)) {
    throw invalidArgument(`inference response: expected a JSON object, got ${describeValue(json)}`);
  }
  const modelName = json.model_name;
  if (typeof modelName !== "string") {
    throw invalidArgument(`model_name: expected a string, got ${describeValue(modelName)}`, {
      field: "model_name",
    });
  }
  const modelVersion = optionalString(json, "model_version");
  const id = optionalString(json, "id");
  const parameters = parametersFromJson(json.parameters, "parameters");
  const outputs = (arrayField(json, "outputs", true) as readonly unknown[]).map((t, i) =>
    readTensor(t, `outputs[${i}]`),
  );
  checkUniqueNames(outputs, "output");
  return {
    modelName,
    ...(modelVersion === undefined ? {} : { modelVersion }),
    ...(id === undefined ? {} : { id }),
    ...(parameters === undefined ? {} : { parameters }),
    outputs,
  };
}

/**
 * Server side: reads a parsed REST request body (use `parseJsonText` to keep 64-bit integers exact).
 *
 * @example
 * const request = decodeRestInferRequest(
 *   parseJsonText('{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]}]}'),
 * );
 * request.inputs[0]?.data; // Float32Array [1, 2]
 */
export function decodeRestInferRequest(json: unknown): InferRequest {
  return requestFromJson(json, tensorFromJsonAt);
}

/** Client side: reads a parsed REST response body. */
export function decodeRestInferResponse(json: unknown): InferResponse {
  return responseFromJson(json, tensorFromJsonAt);
}

/**
 * Client side: the REST request body as a JSON value, to be written with `stringifyJsonText`
 * (`JSON.stringify` suffices unless INT64/UINT64 values or parameters exceed 2^53).
 *
 * @example
 * const x = createTensor({ name: "x", datatype: "INT64", shape: [1], data: BigInt64Array.of(2n ** 60n) });
 * stringifyJsonText(encodeRestInferRequest({ inputs: [x] }));
 * // '{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1152921504606846976]}]}'
 */
export function encodeRestInferRequest(request: InferRequest): RestInferRequest {
  return requestToJson(request, request.inputs.map(tensorToJson));
}

/** @private Internal code, does not follow semantic versioning. */
export function requestToJson(request: InferRequest, inputs: RestTensor[]): RestInferRequest {
  const json: RestInferRequest = {
    ...(request.id === undefined ? {} : { id: request.id }),
    ...(request.parameters === undefined ? {} : { parameters: parametersToJson(request.parameters) }),
    inputs,
  };
  if (request.outputs !== undefined) {
    json.outputs = request.outputs.map((o) =>
      o.parameters === undefined
        ? { name: o.name }
        : { name: o.name, parameters: parametersToJson(o.parameters) },
    );
  }
  return json;
}

/** Server side: the REST response body as a JSON value (see `encodeRestInferRequest` on writing it). */
export function encodeRestInferResponse(response: InferResponse): RestInferResponse {
  return responseToJson(response, response.outputs.map(tensorToJson));
}

/** @private Internal code, does not follow semantic versioning. */
export function responseToJson(response: InferResponse, outputs: RestTensor[]): RestInferResponse {
  const json: RestInferResponse = { model_name: response.modelName, outputs: [] };
  if (response.modelVersion !== undefined) {
    json.model_version = response.modelVersion;
  }
  if (response.id !== undefined) {
    json.id = response.id;
  }
  if (response.parameters !== undefined) {
    json.parameters = parametersToJson(response.parameters);
  }
  json.outputs = outputs;
  return json;
}
