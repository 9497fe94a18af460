import type { InferTensorContents, ModelInferResponse } from "@tensorwire/proto/oip";
import { type Datatype, datatypeInfo, isDatatype } from "./datatype-table.js";
import {
  type Element,
  elementCount,
  elementFromJson,
  elementsFromJson,
  elementsFromRaw,
  flattenData,
  type OracleTensor,
} from "./tensor-elements.js";

/** An inference response as the oracle reads it; the identifying fields are left unjudged here. */
export interface OracleResponse {
  /** The response's `model_name`, as sent. */
  readonly modelName: unknown;
  /** Absent (undefined) when the server leaves it out; gRPC's "" counts as absent. */
  readonly modelVersion: unknown;
  /** The response's `id`, as sent. */
  readonly id: unknown;
  /** The output tensors. */
  readonly outputs: readonly OracleTensor[];
}

type Json = { readonly [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkedShape(value: unknown, where: string): number[] {
  if (!Array.isArray(value)) {
    throw new Error(`${where}.shape: expected an array of dimensions, got ${String(value)}`);
  }
  return value.map((d, i) => {
    const n = typeof d === "bigint" ? Number(d) : d;
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
      throw new Error(`${where}.shape[${i}]: expected a non-negative integer, got ${String(d)}`);
    }
    return n;
  });
}

function checkedDatatype(value: unknown, where: string): Datatype {
  if (!isDatatype(value)) {
    throw new Error(`${where}.datatype: expected an OIP datatype, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkedCount(elements: readonly Element[], shape: readonly number[], where: string): void {
  if (elements.length !== elementCount(shape)) {
    throw new Error(`${where}: ${elements.length} elements for shape [${shape.join(", ")}]`);
  }
}

/**
 * A REST inference response: `json` is its body parsed with `parseExactJson` (under the binary
 * data extension, the JSON header), `blobs` the bytes after that header, split in order among the
 * outputs that give `parameters.binary_data_size`.
 */
export function readRestResponse(json: unknown, blobs: Uint8Array | undefined): OracleResponse {
  if (!isObject(json)) {
    throw new Error("body: expected a JSON object");
  }
  if (!Array.isArray(json.outputs)) {
    throw new Error("outputs: expected an array");
  }
  let pos = 0;
  const outputs = json.outputs.map((raw, i): OracleTensor => {
    const where = `outputs[${i}]`;
    if (!isObject(raw)) {
      throw new Error(`${where}: expected an object`);
    }
    if (typeof raw.name !== "string") {
      throw new Error(`${where}.name: expected a string`);
    }
    const datatype = checkedDatatype(raw.datatype, where);
    const shape = checkedShape(raw.shape, where);
    const size = isObject(raw.parameters) ? raw.parameters.binary_data_size : undefined;
    let elements: Element[];
    if (size !== undefined) {
      if (raw.data !== undefined) {
        throw new Error(`${where}: both data and parameters.binary_data_size`);
      }
      const n = typeof size === "bigint" ? Number(size) : size;
      if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
        throw new Error(`${where}.parameters.binary_data_size: expected a byte count, got ${String(size)}`);
      }
      if (blobs === undefined || pos + n > blobs.length) {
        throw new Error(`${where}: binary_data_size ${n} runs past the end of the body`);
      }
      elements = elementsFromRaw(datatype, blobs.subarray(pos, pos + n));
      pos += n;
    } else {
      if (!Array.isArray(raw.data)) {
        throw new Error(`${where}.data: expected an array`);
      }
      try {
        elements = elementsFromJson(datatype, flattenData(raw.data));
      } catch (err) {
        throw new Error(`${where}.${(err as Error).message}`);
      }
    }
    checkedCount(elements, shape, where);
    return { name: raw.name, datatype, shape, elements };
  });
  if (blobs !== undefined && pos !== blobs.length) {
    throw new Error(`body: ${blobs.length - pos} bytes after the last binary output`);
  }
  return { modelName: json.model_name, modelVersion: json.model_version, id: json.id, outputs };
}

/** Typed contents of one output, read from the datatype's own field. */
function typedElements(
  datatype: Datatype,
  contents: InferTensorContents | undefined,
  where: string,
): Element[] {
  const field = datatypeInfo[datatype].contentsField;
  if (field === undefined) {
    throw new Error(`${where}: ${datatype} has no typed contents field; it must use raw_output_contents`);
  }
  const values: readonly unknown[] = contents?.[field] ?? [];
  return values.map((value, i) => {
    const element = elementFromJson(datatype, value);
    if (typeof element !== "string") {
      throw new Error(`${where}.contents.${field}[${i}]: ${element.error}`);
    }
    return element;
  });
}

function hasContents(contents: InferTensorContents | undefined): boolean {
  return (
    contents !== undefined &&
    Object.values(datatypeInfo).some((info) => {
      const field = info.contentsField;
      return field !== undefined && contents[field].length > 0;
    })
  );
}

/**
 * A gRPC ModelInferResponse, straight from the generated protobuf-es type: raw_output_contents
 * (one entry per output, in order, no output also setting contents) or each output's typed
 * contents field.
 */
export function readGrpcResponse(message: ModelInferResponse): OracleResponse {
  const raw = message.rawOutputContents;
  if (raw.length > 0 && raw.length !== message.outputs.length) {
    throw new Error(`raw_output_contents: ${raw.length} entries for ${message.outputs.length} outputs`);
  }
  const outputs = message.outputs.map((output, i): OracleTensor => {
    const where = `outputs[${i}]`;
    const datatype = checkedDatatype(output.datatype, where);
    const shape = checkedShape(output.shape, where);
    let elements: Element[];
    if (raw.length > 0) {
      if (hasContents(output.contents)) {
        throw new Error(`${where}.contents: set although raw_output_contents is used`);
      }
      elements = elementsFromRaw(datatype, raw[i] as Uint8Array);
    } else {
      elements = typedElements(datatype, output.contents, where);
    }
    checkedCount(elements, shape, where);
    return { name: output.name, datatype, shape, elements };
  });
  return {
    modelName: message.modelName,
    modelVersion: message.modelVersion === "" ? undefined : message.modelVersion,
    id: message.id,
    outputs,
  };
}
