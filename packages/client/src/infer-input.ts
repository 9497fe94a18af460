import {
  createTensor,
  type Datatype,
  datatypeInfo,
  formatShape,
  invalidArgument,
  type Parameters,
  parseShape,
  type Tensor,
  type TensorData,
  tensorDataFromValues,
} from "@tensorwire/codec";
import { tensorFromRawContents } from "@tensorwire/codec/grpc";

/**
 * Where an input's data comes from. "values": a typed array of the datatype's kind (BYTES: byte
 * strings), built from whatever the caller passed. "raw": little-endian bytes exactly as the wire
 * carries them (REST binary data, gRPC raw contents), e.g. read from a file or another server.
 *
 * @example
 * const input = inferInput("x", [2], "FP32", [1, 2]);
 * if (input.data.kind === "values") {
 *   console.log(input.data.values); // Float32Array [1, 2]
 * }
 */
export type InputData =
  | {
      /** Typed values. */
      readonly kind: "values";
      /** The elements, row-major, in the datatype's typed array (or strings/bytes for BYTES). */
      readonly values: TensorData;
    }
  | {
      /** Raw bytes. */
      readonly kind: "raw";
      /** The elements in the binary data extension's layout (little-endian; BYTES length-prefixed). */
      readonly bytes: Uint8Array;
    };

/**
 * An input tensor, checked (shape × datatype × data) when built and never changed after: build it
 * with `inferInput` or `inferInputRaw` (tritonclient's `InferInput`, as an immutable value).
 *
 * @example
 * const input: InferInput = inferInput("INPUT0", [1, 3], "INT32", [1, 2, 3]);
 */
export interface InferInput {
  /** The input's name, as the model declares it. */
  readonly name: string;
  /** The input's datatype. */
  readonly datatype: Datatype;
  /** The input's shape; every dimension concrete (no -1). */
  readonly shape: readonly number[];
  /** The input's data. */
  readonly data: InputData;
  /**
   * REST: send as binary data (true) or JSON (false); gRPC: raw contents (true) or typed contents
   * (false). Undefined: the client's default.
   */
  readonly binary: boolean | undefined;
  /** The input's parameters, sent with it. */
  readonly parameters: Parameters | undefined;
}

/**
 * A nested array in the tensor's shape, or flat, of numbers, bigints, booleans, strings or bytes.
 *
 * @example
 * const rows: NestedValues = [
 *   [5.1, 3.5, 1.4, 0.2],
 *   [6.7, 3.0, 5.2, 2.3],
 * ];
 */
export type NestedValues = readonly (NestedValues | number | bigint | boolean | string | Uint8Array)[];

/**
 * Values for `inferInput`: the datatype's own typed array (taken without a copy), another typed
 * array, or (nested) plain arrays, converted to the datatype.
 *
 * @example
 * const values: InputValues = new Float32Array([1, 2, 3]);
 */
export type InputValues = TensorData | ArrayLike<number> | ArrayLike<bigint> | NestedValues;

/**
 * Options of `inferInput` and `inferInputRaw`.
 *
 * @example
 * const input = inferInput("image", [1, 3, 224, 224], "FP32", pixels, { binary: true });
 */
export interface InferInputOptions {
  /**
   * REST: send as binary data (true) or JSON (false); gRPC: raw contents (true) or typed contents
   * (false). Default: the client's choice (`binaryData`, `rawContents`).
   */
  readonly binary?: boolean;
  /** The input's parameters. Default none. */
  readonly parameters?: Parameters;
}

/**
 * Builds an input from values, checked before anything is sent: the datatype's own typed array is
 * used without a copy (a Uint16Array for FP16 holds bit patterns, a Uint8Array for BOOL 0s and 1s,
 * an array of Uint8Array for BYTES byte strings); anything else, flat or nested in the shape, is
 * converted by the codec's rules for OIP JSON values, each value checked against the datatype
 * (BOOL takes only booleans, integers must fit, INT64/UINT64 take bigints exactly, FP16 numbers
 * round to binary16, BYTES strings become UTF-8). The element count must match the shape.
 *
 * @example
 * import { inferInput } from "@tensorwire/client";
 *
 * const nested = inferInput("x", [2, 2], "FP32", [[1, 2], [3, 4]]);
 * const typed = inferInput("x", [2, 2], "FP32", new Float32Array(4));
 * const text = inferInput("prompt", [1], "BYTES", ["hello"]);
 * const ids = inferInput("ids", [2], "INT64", [1n, 2n ** 60n]);
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
  const tensor = tensorFromValues(name, info.datatype, checkedShape, values);
  return freeze(name, info.datatype, tensor.shape, { kind: "values", values: tensor.data }, options);
}

/**
 * Builds an input from raw little-endian bytes (the form of REST binary data and gRPC raw
 * contents; BYTES as 4-byte-length-prefixed elements), checked against shape and datatype and sent
 * as they are.
 *
 * @example
 * import { inferInputRaw } from "@tensorwire/client";
 *
 * const bytes = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
 * const input = inferInputRaw("INPUT0", [1, 4], "FP32", bytes);
 */
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

/** An input as the codec's tensor (views, not copies, where the data allows). Internal. */
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

/**
 * The tensor of `values`. Conversion is the codec's (its OIP REST JSON reader), so a value means
 * the same whether it reaches a server from this client or arrives at one as JSON. What JSON has no
 * form for is taken here: the datatype's own in-memory arrays, and BYTES as byte strings.
 */
function tensorFromValues(name: string, datatype: Datatype, shape: number[], values: InputValues): Tensor {
  const info = datatypeInfo(datatype, name);
  if (datatype === "BOOL" && values instanceof Uint8Array) {
    // The raw reader checks that every byte is 0 or 1.
    return tensorFromRawContents({ name, datatype, shape }, values);
  }
  if (info.TypedArray !== undefined && values instanceof info.TypedArray) {
    return createTensor({ name, datatype, shape, data: values as TensorData });
  }
  // The codec's one conversion, so a value is refused here exactly as a server refuses it in JSON.
  const data = tensorDataFromValues(datatype, flatten(name, values, shape), {
    tensor: name,
    byteArrays: true,
    nonFinite: "string",
  });
  return createTensor({ name, datatype, shape, data });
}

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
