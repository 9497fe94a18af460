import { type Datatype, isDatatype } from "./datatype-table.js";
import {
  type Element,
  elementCount,
  elementsFromJson,
  elementsFromRaw,
  flattenData,
  type OracleTensor,
} from "./tensor-elements.js";

/** An inference request as the suite sent it, read back into tensors to derive the expected answer. */
export interface OracleRequest {
  /** The request's `id`, when it has one. */
  readonly id: string | undefined;
  /** The input tensors. */
  readonly inputs: readonly OracleTensor[];
  /** The requested output names, when the request lists some. */
  readonly outputs: readonly string[] | undefined;
}

type Json = { readonly [key: string]: unknown };

function object(value: unknown, where: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected an object`);
  }
  return value as Json;
}

function shapeOf(value: unknown, where: string): number[] {
  if (!Array.isArray(value)) {
    throw new Error(`${where}.shape: expected an array`);
  }
  return value.map((d, i) => {
    const n = typeof d === "string" ? Number(d) : Number(d);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new Error(`${where}.shape[${i}]: expected a non-negative integer, got ${String(d)}`);
    }
    return n;
  });
}

function datatypeOf(value: unknown, where: string): Datatype {
  if (!isDatatype(value)) {
    throw new Error(`${where}.datatype: expected an OIP datatype, got ${JSON.stringify(value)}`);
  }
  return value;
}

function tensor(name: unknown, datatype: Datatype, shape: number[], elements: Element[], where: string) {
  if (typeof name !== "string") {
    throw new Error(`${where}.name: expected a string`);
  }
  if (elements.length !== elementCount(shape)) {
    throw new Error(`${where}: ${elements.length} elements for shape [${shape.join(", ")}]`);
  }
  return { name, datatype, shape, elements };
}

function requestedOutputs(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    return undefined;
  }
  return value.map((o, i) => {
    const name = object(o, `outputs[${i}]`).name;
    if (typeof name !== "string") {
      throw new Error(`outputs[${i}].name: expected a string`);
    }
    return name;
  });
}

function idOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * A REST request: the JSON body, and for the binary data extension the bytes after it, split in
 * order among the inputs that give `parameters.binary_data_size`.
 */
export function readRestRequest(body: unknown, binary: Uint8Array = new Uint8Array()): OracleRequest {
  const request = object(body, "request");
  if (!Array.isArray(request.inputs)) {
    throw new Error("request.inputs: expected an array");
  }
  let pos = 0;
  const inputs = request.inputs.map((raw, i) => {
    const where = `inputs[${i}]`;
    const input = object(raw, where);
    const datatype = datatypeOf(input.datatype, where);
    const shape = shapeOf(input.shape, where);
    const size = (input.parameters as Json | undefined)?.binary_data_size;
    let elements: Element[];
    if (size !== undefined) {
      if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0 || pos + size > binary.length) {
        throw new Error(`${where}.parameters.binary_data_size: ${String(size)} does not fit the body`);
      }
      elements = elementsFromRaw(datatype, binary.subarray(pos, pos + size));
      pos += size;
    } else {
      elements = elementsFromJson(datatype, flattenData(input.data));
    }
    return tensor(input.name, datatype, shape, elements, where);
  });
  return { id: idOf(request.id), inputs, outputs: requestedOutputs(request.outputs) };
}

/**
 * A gRPC ModelInferRequest as a case writes it (proto JSON, inputs with `values` in place of
 * `contents`), with its raw_input_contents.
 */
export function readGrpcRequest(message: unknown, raw: readonly Uint8Array[] | undefined): OracleRequest {
  const request = object(message, "request");
  const list = Array.isArray(request.inputs) ? request.inputs : [];
  const inputs = list.map((rawInput, i) => {
    const where = `inputs[${i}]`;
    const input = object(rawInput, where);
    const datatype = datatypeOf(input.datatype, where);
    const shape = shapeOf(input.shape, where);
    let elements: Element[];
    if (raw !== undefined && raw.length > 0) {
      const bytes = raw[i];
      if (bytes === undefined) {
        throw new Error(`${where}: no raw_input_contents entry`);
      }
      elements = elementsFromRaw(datatype, bytes);
    } else if (Array.isArray(input.values)) {
      elements = elementsFromJson(datatype, input.values);
    } else {
      throw new Error(`${where}: give values or raw contents to derive outputs`);
    }
    return tensor(input.name, datatype, shape, elements, where);
  });
  return { id: idOf(request.id), inputs, outputs: requestedOutputs(request.outputs) };
}
