// Node 24 has Math.f16round and DataView get/setFloat16; Node 22, which the package supports, does not.
import { f16round, getFloat16, setFloat16 } from "@petamoriken/float16";
import { type Datatype, datatypeInfo, integerRange } from "./datatype-table.js";

/**
 * Tensor elements as comparable strings, the suite's own reading of the wire formats:
 * - BOOL: "true" / "false";
 * - integers: the exact decimal value (64-bit ones included);
 * - floats: the value rounded to the datatype (FP16, FP32), written so that NaN equals NaN and
 *   -0 differs from 0 ("NaN", "-0", "Infinity", or the shortest decimal);
 * - BYTES: the element's bytes in lower-case hex ("" for an empty element).
 * Two servers that put the same tensor on the wire in different ways (JSON numbers, typed gRPC
 * contents, little-endian raw bytes) give the same strings.
 */
export type Element = string;

/** A tensor as the oracle reads it. */
export interface OracleTensor {
  /** The tensor's name. */
  readonly name: string;
  /** Its OIP datatype. */
  readonly datatype: Datatype;
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its elements in row-major order, each as a canonical string so that values compare exactly. */
  readonly elements: readonly Element[];
}

const utf8 = new TextEncoder();

function floatElement(datatype: Datatype, value: number): Element {
  const rounded = datatype === "FP16" ? f16round(value) : datatype === "FP32" ? Math.fround(value) : value;
  return Object.is(rounded, -0) ? "-0" : String(rounded);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** A BYTES element's bytes. */
export function elementBytes(element: Element): Uint8Array {
  return Uint8Array.from(Buffer.from(element, "hex"));
}

function describe(value: unknown): string {
  return typeof value === "bigint" ? String(value) : (JSON.stringify(value) ?? String(value));
}

/**
 * One JSON value as an element of `datatype`, or a message saying what was expected. JSON rules
 * of the specification: BOOL is true/false, integers are integral numbers in range (bigints from
 * `parseExactJson` for 64-bit values), floats are numbers, BYTES are strings (UTF-8).
 */
export function elementFromJson(datatype: Datatype, value: unknown): Element | { readonly error: string } {
  const { kind } = datatypeInfo[datatype];
  switch (kind) {
    case "bool":
      return typeof value === "boolean"
        ? String(value)
        : { error: `expected true or false, got ${describe(value)}` };
    case "uint":
    case "int": {
      const integer =
        typeof value === "bigint" ? value : Number.isInteger(value) ? BigInt(value as number) : undefined;
      const [min, max] = integerRange(datatype);
      if (integer === undefined || integer < min || integer > max) {
        return { error: `expected an integer in ${datatype} range, got ${describe(value)}` };
      }
      return String(integer);
    }
    case "float":
      return typeof value === "number" || typeof value === "bigint"
        ? floatElement(datatype, Number(value))
        : { error: `expected a number, got ${describe(value)}` };
    case "bytes":
      return typeof value === "string"
        ? hex(utf8.encode(value))
        : value instanceof Uint8Array
          ? hex(value)
          : { error: `expected a string, got ${describe(value)}` };
  }
}

/** JSON values as elements; throws with the first bad element's index. */
export function elementsFromJson(datatype: Datatype, values: readonly unknown[]): Element[] {
  return values.map((value, i) => {
    const element = elementFromJson(datatype, value);
    if (typeof element !== "string") {
      throw new Error(`data[${i}]: ${element.error}`);
    }
    return element;
  });
}

/** Tensor data given flat or nested in the shape, flattened in row-major order. */
export function flattenData(data: unknown): unknown[] {
  return Array.isArray(data) ? data.flatMap(flattenData) : [data];
}

/** Raw contents (little-endian; BYTES as 4-byte little-endian length + bytes) as elements. */
export function elementsFromRaw(datatype: Datatype, bytes: Uint8Array): Element[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { kind, size } = datatypeInfo[datatype];
  if (kind === "bytes") {
    const out: Element[] = [];
    for (let pos = 0; pos < bytes.length; ) {
      if (pos + 4 > bytes.length) {
        throw new Error(`a BYTES length prefix at byte ${pos} is cut short`);
      }
      const length = view.getUint32(pos, true);
      if (pos + 4 + length > bytes.length) {
        throw new Error(`a BYTES element of ${length} bytes at byte ${pos} runs past the end`);
      }
      out.push(hex(bytes.subarray(pos + 4, pos + 4 + length)));
      pos += 4 + length;
    }
    return out;
  }
  if (bytes.length % size !== 0) {
    throw new Error(`${bytes.length} bytes is not a whole number of ${size}-byte ${datatype} elements`);
  }
  const out: Element[] = [];
  for (let pos = 0; pos < bytes.length; pos += size) {
    out.push(readElement(datatype, view, pos));
  }
  return out;
}

function readElement(datatype: Datatype, view: DataView, pos: number): Element {
  switch (datatype) {
    case "BOOL": {
      const byte = view.getUint8(pos);
      if (byte > 1) {
        throw new Error(`BOOL byte ${byte} at ${pos} is neither 0 nor 1`);
      }
      return byte === 1 ? "true" : "false";
    }
    case "UINT8":
      return String(view.getUint8(pos));
    case "UINT16":
      return String(view.getUint16(pos, true));
    case "UINT32":
      return String(view.getUint32(pos, true));
    case "UINT64":
      return String(view.getBigUint64(pos, true));
    case "INT8":
      return String(view.getInt8(pos));
    case "INT16":
      return String(view.getInt16(pos, true));
    case "INT32":
      return String(view.getInt32(pos, true));
    case "INT64":
      return String(view.getBigInt64(pos, true));
    case "FP16":
      return floatElement("FP16", getFloat16(view, pos, true));
    case "FP32":
      return floatElement("FP32", view.getFloat32(pos, true));
    case "FP64":
      return floatElement("FP64", view.getFloat64(pos, true));
    case "BYTES":
      throw new Error("BYTES has no fixed-size element");
  }
}

/** Elements as raw contents: little-endian, BYTES length-prefixed. */
export function rawFromElements(datatype: Datatype, elements: readonly Element[]): Uint8Array {
  const { kind, size } = datatypeInfo[datatype];
  if (kind === "bytes") {
    const parts = elements.map(elementBytes);
    const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
    const view = new DataView(out.buffer);
    let pos = 0;
    for (const part of parts) {
      view.setUint32(pos, part.length, true);
      out.set(part, pos + 4);
      pos += 4 + part.length;
    }
    return out;
  }
  const out = new Uint8Array(elements.length * size);
  const view = new DataView(out.buffer);
  elements.forEach((element, i) => {
    writeElement(datatype, view, i * size, element);
  });
  return out;
}

function writeElement(datatype: Datatype, view: DataView, pos: number, element: Element): void {
  switch (datatype) {
    case "BOOL":
      view.setUint8(pos, element === "true" ? 1 : 0);
      break;
    case "UINT8":
      view.setUint8(pos, Number(element));
      break;
    case "UINT16":
      view.setUint16(pos, Number(element), true);
      break;
    case "UINT32":
      view.setUint32(pos, Number(element), true);
      break;
    case "UINT64":
      view.setBigUint64(pos, BigInt(element), true);
      break;
    case "INT8":
      view.setInt8(pos, Number(element));
      break;
    case "INT16":
      view.setInt16(pos, Number(element), true);
      break;
    case "INT32":
      view.setInt32(pos, Number(element), true);
      break;
    case "INT64":
      view.setBigInt64(pos, BigInt(element), true);
      break;
    case "FP16":
      setFloat16(view, pos, Number(element), true);
      break;
    case "FP32":
      view.setFloat32(pos, Number(element), true);
      break;
    case "FP64":
      view.setFloat64(pos, Number(element), true);
      break;
    case "BYTES":
      throw new Error("BYTES has no fixed-size element");
  }
}

/**
 * An element as its JSON value: BOOL a boolean, 64-bit integers beyond ±(2^53 − 1) a bigint
 * (for `stringifyExactJson`), BYTES a UTF-8 string.
 */
export function jsonFromElement(datatype: Datatype, element: Element): unknown {
  const { kind } = datatypeInfo[datatype];
  if (kind === "bool") {
    return element === "true";
  }
  if (kind === "bytes") {
    return new TextDecoder().decode(elementBytes(element));
  }
  if (kind === "float") {
    return Number(element);
  }
  const value = BigInt(element);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** An element for a message: BYTES as a JSON string when UTF-8, else 0x-hex. */
export function displayElement(datatype: Datatype, element: Element): string {
  if (datatype !== "BYTES") {
    return element;
  }
  try {
    return JSON.stringify(new TextDecoder("utf-8", { fatal: true }).decode(elementBytes(element)));
  } catch {
    return `0x${element}`;
  }
}

/** The number of elements a shape holds. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
