import {
  Binary,
  Bool,
  type Data,
  DataType,
  Field,
  FixedSizeList,
  Float16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  Precision,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
} from "apache-arrow";
import { type Datatype, datatypeTable } from "../datatype.js";
import { invalidArgument, TensorwireError } from "../error.js";
import { formatShape } from "../shape.js";
import { createTensor, type Tensor, type TensorData } from "../tensor.js";
import { checkArrowIpc } from "./arrow-ipc-check.js";

/**
 * Arrow IPC tables (Wallaroo's `application/vnd.apache.arrow.file`, and the stream format) ↔
 * tensors, one tensor per column, dim 0 = rows. Columns: numeric types ↔ the same OIP datatype
 * (Int64/Uint64 as bigint), Float16 ↔ FP16 (bit patterns kept), Bool ↔ BOOL, Binary ↔ BYTES
 * (Utf8, LargeUtf8 and LargeBinary also read as BYTES). Higher rank is a FixedSizeList per extra
 * dimension; reading also accepts List/LargeList columns (pyarrow's default for list cells, what
 * Wallaroo sends) when every row has the same length. Nulls have no tensor form and are an error.
 * Struct columns (Wallaroo's nested `in`/`out`/`anomaly` groups) read as one tensor per field,
 * named `<column>.<field>`; `encodeArrowIpc`'s `nest` option writes them.
 */

/** The two Arrow IPC formats: the file (random access, `ARROW1` magic) and the stream. */
export type ArrowIpcFormat = "file" | "stream";

/** Options of `encodeArrowIpc`. */
export interface ArrowEncodeOptions {
  /** Default "file", the format of Wallaroo's content type. */
  readonly format: ArrowIpcFormat;
  /**
   * Writes tensors named `<group><nest><field>` as the fields of one Struct column `<group>` (at
   * the place of its first tensor), as Wallaroo's API nests `in`, `out` and `anomaly` when no
   * dataset separator is asked for. `decodeArrowIpc` reads such columns back as the flat tensors,
   * joined with ".". Default: none, every tensor a column.
   */
  readonly nest: string | undefined;
}

// The IPC file format opens with this magic (plus padding); the stream format does not.
const fileMagic = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

/** Which IPC format bytes are in, by the file format's magic. */
export function arrowIpcFormat(bytes: Uint8Array): ArrowIpcFormat {
  return fileMagic.every((b, i) => bytes[i] === b) ? "file" : "stream";
}

/**
 * Writes tensors as an Arrow IPC table, one column per tensor; all must have rank ≥ 1 and share
 * dim 0, the row count.
 *
 * @example
 * const x = createTensor({ name: "x", datatype: "FP32", shape: [2, 3], data: new Float32Array(6) });
 * const bytes = encodeArrowIpc([x]); // a FixedSizeList<Float32>[3] column of 2 rows
 * const [back] = decodeArrowIpc(bytes); // FP32 [2,3]
 */
export function encodeArrowIpc(
  tensors: readonly Tensor[],
  options: Partial<ArrowEncodeOptions> = {},
): Uint8Array {
  const first = tensors[0];
  const names = new Set<string>();
  for (const t of tensors) {
    if (t.shape.length === 0) {
      throw invalidArgument(`tensor '${t.name}': an Arrow column needs rank ≥ 1, got shape []`, {
        tensor: t.name,
        field: "shape",
      });
    }
    if (first !== undefined && t.shape[0] !== first.shape[0]) {
      throw invalidArgument(
        `tensor '${t.name}': columns share dim 0: expected ${first.shape[0]} rows like tensor '${first.name}', got ${t.shape[0]}`,
        { tensor: t.name, field: "shape" },
      );
    }
    if (names.has(t.name)) {
      throw invalidArgument(`tensor '${t.name}' appears twice; Arrow columns need distinct names`, {
        tensor: t.name,
      });
    }
    names.add(t.name);
  }
  const rows = first?.shape[0] ?? 0;
  // A schema, not an object of columns, keeps the tensors' order (objects put integer-like keys first).
  const { fields, columns } = topColumns(tensors, options.nest, rows);
  const struct = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children: columns });
  const table = new Table([new RecordBatch(new Schema(fields), struct)]);
  return tableToIPC(table, options.format ?? "file");
}

/** The table's columns: one per tensor, or with `nest`, Struct columns grouping the nested names. */
function topColumns(
  tensors: readonly Tensor[],
  nest: string | undefined,
  rows: number,
): { fields: Field[]; columns: Data[] } {
  const top: { name: string; members: { name: string; data: Data }[] | undefined; data?: Data }[] = [];
  const groups = new Map<string, { name: string; data: Data }[]>();
  for (const t of tensors) {
    const at = nest === undefined || nest === "" ? -1 : t.name.indexOf(nest);
    if (at <= 0 || at + (nest as string).length >= t.name.length) {
      top.push({ name: t.name, members: undefined, data: columnData(t) });
      continue;
    }
    const group = t.name.slice(0, at);
    let members = groups.get(group);
    if (members === undefined) {
      members = [];
      groups.set(group, members);
      top.push({ name: group, members });
    }
    members.push({ name: t.name.slice(at + (nest as string).length), data: columnData(t) });
  }
  const fields: Field[] = [];
  const columns: Data[] = [];
  for (const entry of top) {
    let data = entry.data;
    if (entry.members !== undefined) {
      const children = entry.members.map((m) => new Field(m.name, m.data.type, false));
      data = makeData({
        type: new Struct(children),
        length: rows,
        nullCount: 0,
        children: entry.members.map((m) => m.data),
      });
    }
    if (fields.some((f) => f.name === entry.name)) {
      throw invalidArgument(`column '${entry.name}' is both a tensor and a group of nested tensors`, {
        tensor: entry.name,
      });
    }
    fields.push(new Field(entry.name, (data as Data).type, false));
    columns.push(data as Data);
  }
  return { fields, columns };
}

function columnData(tensor: Tensor): Data {
  let data = leafData(tensor);
  const shape = tensor.shape;
  let length = tensor.data.length;
  for (let d = shape.length - 1; d >= 1; d--) {
    const size = shape[d] as number;
    length = size === 0 ? (shape.slice(0, d) as number[]).reduce((a, b) => a * b, 1) : length / size;
    const type = new FixedSizeList(size, new Field("item", data.type, false));
    data = makeData({ type, length, nullCount: 0, child: data });
  }
  return data;
}

function leafData(tensor: Tensor): Data {
  const length = tensor.data.length;
  switch (tensor.datatype) {
    case "BOOL": {
      const bits = new Uint8Array(Math.ceil(length / 8));
      tensor.data.forEach((v, i) => {
        if (v !== 0) {
          bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
        }
      });
      return makeData({ type: new Bool(), length, nullCount: 0, data: bits });
    }
    case "BYTES": {
      const offsets = new Int32Array(length + 1);
      let total = 0;
      tensor.data.forEach((b, i) => {
        total += b.length;
        offsets[i + 1] = total;
      });
      const values = new Uint8Array(total);
      tensor.data.forEach((b, i) => {
        values.set(b, offsets[i]);
      });
      return makeData({ type: new Binary(), length, nullCount: 0, valueOffsets: offsets, data: values });
    }
    default:
      return makeData({
        type: arrowTypes[tensor.datatype](),
        length,
        nullCount: 0,
        data: tensor.data,
      } as never);
  }
}

const arrowTypes: Record<Exclude<Datatype, "BOOL" | "BYTES">, () => DataType> = {
  UINT8: () => new Uint8(),
  UINT16: () => new Uint16(),
  UINT32: () => new Uint32(),
  UINT64: () => new Uint64(),
  INT8: () => new Int8(),
  INT16: () => new Int16(),
  INT32: () => new Int32(),
  INT64: () => new Int64(),
  FP16: () => new Float16(),
  FP32: () => new Float32(),
  FP64: () => new Float64(),
};

/** Reads an Arrow IPC file or stream (told apart by the `ARROW1` magic) into one tensor per column. */
export function decodeArrowIpc(bytes: Uint8Array): Tensor[] {
  const format = arrowIpcFormat(bytes);
  checkArrowIpc(bytes, format);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    throw new TensorwireError(
      "invalid_argument",
      `invalid Arrow IPC ${format}: ${err instanceof Error ? err.message : String(err)}`,
      {},
      { cause: err },
    );
  }
  try {
    return table.schema.fields.flatMap((field, i) => columnTensors(field, table.getChildAt(i)?.data ?? []));
  } catch (err) {
    if (err instanceof TensorwireError) {
      throw err;
    }
    // A table that parsed but whose buffers are inconsistent fails deep inside apache-arrow.
    throw new TensorwireError(
      "invalid_argument",
      `invalid Arrow IPC data: ${err instanceof Error ? err.message : String(err)}`,
      {},
      { cause: err },
    );
  }
}

interface Flat {
  readonly datatype: Datatype;
  /** Dimensions below the row dimension. */
  readonly inner: number[];
  readonly parts: TensorData[];
}

/** A column's tensor, or a Struct column's fields' tensors named `<column>.<field>`, in order. */
function columnTensors(field: Field, chunks: readonly Data[], prefix = ""): Tensor[] {
  if (!DataType.isStruct(field.type)) {
    return [columnTensor(prefix === "" ? field : new Field(`${prefix}${field.name}`, field.type), chunks)];
  }
  return (field.type.children as Field[]).flatMap((child, i) =>
    columnTensors(
      child,
      chunks.map((chunk) => childAt(chunk, i, `${prefix}${field.name}`)),
      `${prefix}${field.name}.`,
    ),
  );
}

function childAt(data: Data, i: number, name: string): Data {
  const child = data.children[i];
  if (child === undefined || data.nullCount > 0) {
    throw invalidArgument(`tensor '${name}': a struct column without its fields' data or with nulls`, {
      tensor: name,
    });
  }
  // A struct's children hold every row of the batch; the struct may be a slice of them.
  return data.offset === 0 && child.length === data.length ? child : child.slice(data.offset, data.length);
}

function columnTensor(field: Field, chunks: readonly Data[]): Tensor {
  const name = field.name;
  let rows = 0;
  let flat: Flat | undefined;
  for (const chunk of chunks) {
    const part = readRows(chunk, 0, chunk.length, name);
    if (flat !== undefined && formatShape(flat.inner) !== formatShape(part.inner)) {
      throw invalidArgument(
        `tensor '${name}': ragged column: record batches hold rows of shape ${formatShape(flat.inner)} and ${formatShape(part.inner)}`,
        { tensor: name },
      );
    }
    flat = flat === undefined ? part : { ...flat, parts: [...flat.parts, ...part.parts] };
    rows += chunk.length;
  }
  const { datatype, inner } = flat ?? emptyColumn(field.type, name);
  const data = concat(datatype, flat?.parts ?? []);
  return createTensor({ name, datatype, shape: [rows, ...inner], data });
}

function emptyColumn(type: DataType, name: string): Flat {
  const inner: number[] = [];
  let t = type;
  for (;;) {
    if (DataType.isFixedSizeList(t)) {
      inner.push(t.listSize);
    } else if (DataType.isList(t) || DataType.isLargeList(t)) {
      inner.push(0);
    } else {
      return { datatype: leafDatatype(t, name), inner, parts: [] };
    }
    t = (t.children[0] as Field).type;
  }
}

/** Rows [begin, begin + count) of `data`, flattened to the leaf values. */
function readRows(data: Data, begin: number, count: number, name: string): Flat {
  const bitmap = data.nullBitmap as Uint8Array | undefined;
  if (bitmap !== undefined && bitmap.length > 0 && bitmap.length * 8 < data.offset + data.length) {
    throw invalidArgument(`tensor '${name}': validity bitmap is shorter than the column`, { tensor: name });
  }
  if (data.nullCount > 0) {
    throw invalidArgument(`tensor '${name}': column holds ${data.nullCount} null(s); a tensor has no nulls`, {
      tensor: name,
    });
  }
  const type = data.type;
  const start = data.offset + begin;
  if (DataType.isFixedSizeList(type)) {
    const size = type.listSize;
    const child = readRows(childOf(data, name), start * size, count * size, name);
    return { ...child, inner: [size, ...child.inner] };
  }
  if (DataType.isList(type) || DataType.isLargeList(type)) {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    checkOffsets(offsets, start + count, name);
    const at = (i: number): number => Number(offsets[i]);
    const first = at(start);
    const width = count === 0 ? 0 : at(start + 1) - first;
    for (let r = 1; r <= count; r++) {
      const got = at(start + r) - at(start + r - 1);
      if (got !== width) {
        throw invalidArgument(
          `tensor '${name}': ragged list column: expected ${width} values in row ${r - 1} like row 0, got ${got}`,
          { tensor: name },
        );
      }
    }
    const child = readRows(childOf(data, name), first, count * width, name);
    return { ...child, inner: [width, ...child.inner] };
  }
  const datatype = leafDatatype(type, name);
  if (datatype === "BOOL") {
    const bits = data.values as Uint8Array;
    if (bits.length * 8 < start + count) {
      throw invalidArgument(`tensor '${name}': bool column data is shorter than the column`, {
        tensor: name,
      });
    }
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const j = start + i;
      out[i] = ((bits[j >> 3] as number) >> (j & 7)) & 1;
    }
    return { datatype, inner: [], parts: [out] };
  }
  if (datatype === "BYTES") {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    checkOffsets(offsets, start + count, name);
    const values = data.values as Uint8Array;
    const out: Uint8Array[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const from = Number(offsets[start + i]);
      const to = Number(offsets[start + i + 1]);
      if (!(from >= 0 && to >= from && to <= values.length)) {
        throw invalidArgument(`tensor '${name}': value offsets of row ${i} point outside the data buffer`, {
          tensor: name,
        });
      }
      out[i] = values.slice(from, to);
    }
    return { datatype, inner: [], parts: [out] };
  }
  const values = data.values as Exclude<TensorData, Uint8Array[]>;
  return { datatype, inner: [], parts: [values.subarray(start, start + count)] };
}

function checkOffsets(offsets: Int32Array | BigInt64Array | undefined, last: number, name: string): void {
  if (offsets === undefined || offsets.length <= last) {
    throw invalidArgument(`tensor '${name}': value offsets are shorter than the column`, { tensor: name });
  }
}

function childOf(data: Data, name: string): Data {
  const child = data.children[0];
  if (child === undefined) {
    throw invalidArgument(`tensor '${name}': list column has no child data`, { tensor: name });
  }
  return child;
}

const signedInts: Record<number, Datatype> = { 8: "INT8", 16: "INT16", 32: "INT32", 64: "INT64" };
const unsignedInts: Record<number, Datatype> = { 8: "UINT8", 16: "UINT16", 32: "UINT32", 64: "UINT64" };

function leafDatatype(type: DataType, name: string): Datatype {
  if (DataType.isInt(type)) {
    const found = (type.isSigned ? signedInts : unsignedInts)[type.bitWidth];
    if (found !== undefined) {
      return found;
    }
  } else if (DataType.isFloat(type)) {
    return type.precision === Precision.HALF ? "FP16" : type.precision === Precision.SINGLE ? "FP32" : "FP64";
  } else if (DataType.isBool(type)) {
    return "BOOL";
  } else if (
    DataType.isBinary(type) ||
    DataType.isLargeBinary(type) ||
    DataType.isUtf8(type) ||
    DataType.isLargeUtf8(type)
  ) {
    return "BYTES";
  }
  throw invalidArgument(
    `tensor '${name}': Arrow type ${String(type)} has no tensor datatype; expected an integer, float, bool, binary or string column, or a (fixed-size) list of one`,
    { tensor: name },
  );
}

function concat(datatype: Datatype, parts: readonly TensorData[]): TensorData {
  if (datatype === "BYTES") {
    return (parts as Uint8Array[][]).flat();
  }
  const TypedArray = datatypeTable[datatype].TypedArray as Uint8ArrayConstructor;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new TypedArray(total);
  let at = 0;
  for (const p of parts) {
    out.set(p as Uint8Array, at);
    at += p.length;
  }
  return out as TensorData;
}
