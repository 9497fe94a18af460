import {
  createTensor,
  type Datatype,
  datatypeInfo,
  formatShape,
  invalidArgument,
  numberToHalf,
  type Parameters,
  parseShape,
  type Tensor,
  type TensorData,
} from "@tensorwire/codec";
import { decodeGrpcInferRequest } from "@tensorwire/codec/grpc";

/**
 * Where an input's data comes from. "values": a typed array of the datatype's kind (BYTES: byte
 * strings), built from whatever the caller passed. "raw": little-endian bytes exactly as the wire
 * carries them (REST binary data, gRPC raw contents), e.g. read from a file or another server.
 */
export type InputData =
  | { readonly kind: "values"; readonly values: TensorData }
  | { readonly kind: "raw"; readonly bytes: Uint8Array };

/** An input tensor, checked (shape × datatype × data) when built and never changed after. */
export interface InferInput {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly data: InputData;
  /**
   * REST: send as binary data (true) or JSON (false); gRPC: raw contents (true) or typed contents
   * (false). Undefined: the client's default.
   */
  readonly binary: boolean | undefined;
  readonly parameters: Parameters | undefined;
}

/** A nested array in the tensor's shape, or flat, of numbers, bigints, booleans, strings or bytes. */
export type NestedValues = readonly (NestedValues | number | bigint | boolean | string | Uint8Array)[];

/** Values for `inferInput`: a typed array, or (nested) plain arrays converted to the datatype. */
export type InputValues = TensorData | ArrayLike<number> | ArrayLike<bigint> | NestedValues;

export interface InferInputOptions {
  readonly binary?: boolean;
  readonly parameters?: Parameters;
}

/**
 * Builds an input from values: `inferInput("x", [2, 2], "FP32", [[1, 2], [3, 4]])` or
 * `inferInput("x", [2, 2], "FP32", new Float32Array(4))`. The datatype's own typed array is used
 * without a copy; anything else is converted with every value checked, and the element count must
 * match the shape, so a bad input fails here instead of at the server. FP16 numbers are rounded to
 * binary16; a Uint16Array given for FP16 is taken as bit patterns, the codec's FP16 form.
 */
export function inferInput(
  name: string,
  shape: readonly number[],
  datatype: Datatype,
  values: InputValues,
  options: InferInputOptions = {},
): InferInput {
  const info = datatypeInfo(datatype, name);
  const checkedShape = concreteShape(name, shape);
  const data =
    info.TypedArray !== undefined && values instanceof info.TypedArray && datatype !== "BOOL"
      ? (values as TensorData)
      : convert(name, info.datatype, flatten(name, values, checkedShape));
  const tensor = createTensor({ name, datatype: info.datatype, shape: checkedShape, data });
  return freeze(name, info.datatype, tensor.shape, { kind: "values", values: tensor.data }, options);
}

/** Builds an input from raw little-endian bytes, checked against shape and datatype. */
export function inferInputRaw(
  name: string,
  shape: readonly number[],
  datatype: Datatype,
  bytes: Uint8Array,
  options: InferInputOptions = {},
): InferInput {
  const tensor = tensorFromRawContents({ name, datatype, shape: concreteShape(name, shape) }, bytes);
  return freeze(name, tensor.datatype, tensor.shape, { kind: "raw", bytes }, options);
}

/** An input as the codec's tensor (views, not copies, where the data allows). */
export function inputTensor(input: InferInput): Tensor {
  const header = {
    name: input.name,
    datatype: input.datatype,
    shape: input.shape,
    parameters: input.parameters,
  };
  return input.data.kind === "raw"
    ? tensorFromRawContents(header, input.data.bytes)
    : createTensor({ ...header, data: input.data.values });
}

function freeze(
  name: string,
  datatype: Datatype,
  shape: readonly number[],
  data: InputData,
  options: InferInputOptions,
): InferInput {
  return Object.freeze({
    name,
    datatype,
    shape: Object.freeze([...shape]),
    data: Object.freeze(data),
    binary: options.binary,
    parameters: options.parameters === undefined ? undefined : Object.freeze({ ...options.parameters }),
  });
}

function concreteShape(name: string, shape: readonly number[]): number[] {
  const parsed = parseShape(shape);
  if (!parsed.ok) {
    throw invalidArgument(`input '${name}': ${parsed.error} (-1 belongs in metadata; give the real size)`, {
      tensor: name,
      field: "shape",
    });
  }
  return parsed.value;
}

type Leaf = number | bigint | boolean | string | Uint8Array;

/** Flat values pass as they are; nested ones must follow the shape level by level. */
function flatten(name: string, values: InputValues, shape: readonly number[]): ArrayLike<Leaf> {
  const first = (values as ArrayLike<unknown>)[0];
  if (!Array.isArray(first)) {
    return values as ArrayLike<Leaf>;
  }
  const out: Leaf[] = [];
  const walk = (level: unknown, depth: number, path: string) => {
    const dim = shape[depth];
    if (!Array.isArray(level) || dim === undefined || level.length !== dim) {
      throw invalidArgument(
        `input '${name}': expected ${path} to have ${dim ?? "no further"} elements for shape ${formatShape(shape)}, got ${Array.isArray(level) ? `${level.length}` : "a value that is not an array"}`,
        { tensor: name, field: "data" },
      );
    }
    if (depth === shape.length - 1) {
      out.push(...(level as Leaf[]));
      return;
    }
    level.forEach((sub, i) => {
      walk(sub, depth + 1, `${path}[${i}]`);
    });
  };
  walk(values, 0, "data");
  return out;
}

const utf8 = new TextEncoder();

function convert(name: string, datatype: Datatype, leaves: ArrayLike<Leaf>): TensorData {
  const n = leaves.length;
  const bad = (i: number, expected: string) =>
    invalidArgument(`input '${name}': data[${i}]: expected ${expected}, got ${String(leaves[i])}`, {
      tensor: name,
      field: "data",
    });
  const info = datatypeInfo(datatype, name);
  switch (info.jsonKind) {
    case "bool": {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = leaves[i];
        if (v === true || v === 1) {
          out[i] = 1;
        } else if (v !== false && v !== 0) {
          throw bad(i, "a boolean (or 0/1)");
        }
      }
      return out;
    }
    case "int": {
      const out = new (info.TypedArray as Int32ArrayConstructor)(n);
      const [lo, hi] = (info.range as readonly [bigint, bigint]).map(Number) as [number, number];
      for (let i = 0; i < n; i++) {
        const leaf = leaves[i];
        const v = typeof leaf === "bigint" ? Number(leaf) : leaf;
        if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
          throw bad(i, `an integer in ${datatype} range [${lo}, ${hi}]`);
        }
        out[i] = v;
      }
      return out;
    }
    case "bigint": {
      const out = datatype === "INT64" ? new BigInt64Array(n) : new BigUint64Array(n);
      const [lo, hi] = info.range as readonly [bigint, bigint];
      for (let i = 0; i < n; i++) {
        const v = leaves[i];
        const b = typeof v === "bigint" ? v : Number.isSafeInteger(v) ? BigInt(v as number) : undefined;
        if (b === undefined || b < lo || b > hi) {
          throw bad(i, `an integer in ${datatype} range (bigint beyond 2^53)`);
        }
        out[i] = b;
      }
      return out;
    }
    case "float":
    case "half": {
      const out =
        datatype === "FP64"
          ? new Float64Array(n)
          : datatype === "FP32"
            ? new Float32Array(n)
            : new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        const v = leaves[i];
        if (typeof v !== "number") {
          throw bad(i, "a number");
        }
        out[i] = datatype === "FP16" ? numberToHalf(v) : v;
      }
      return out;
    }
    case "bytes": {
      const out: Uint8Array[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = leaves[i];
        if (typeof v === "string") {
          out[i] = utf8.encode(v);
        } else if (v instanceof Uint8Array) {
          out[i] = v;
        } else {
          throw bad(i, "a string or Uint8Array");
        }
      }
      return out;
    }
  }
}

/**
 * Raw bytes → tensor through the public gRPC decoder, which checks byte length and BOOL values
 * exactly as for a server's raw contents. (The codec's `tensorFromRawContents` does this directly
 * but is not exported.)
 */
function tensorFromRawContents(
  header: { name: string; datatype: string; shape: readonly number[]; parameters?: Parameters | undefined },
  bytes: Uint8Array,
): Tensor {
  const request = decodeGrpcInferRequest({
    modelName: "",
    modelVersion: "",
    id: "",
    parameters: {},
    outputs: [],
    inputs: [
      { name: header.name, datatype: header.datatype, shape: header.shape.map(BigInt), parameters: {} },
    ],
    rawInputContents: [bytes],
  });
  const tensor = request.inputs[0] as Tensor;
  return header.parameters === undefined ? tensor : { ...tensor, parameters: header.parameters };
}
