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

/**
 * Values → the datatype's typed data, by the codec's one conversion (so a value is refused here
 * exactly as a server refuses it in JSON). A Uint8Array of 0/1 is the codec's own BOOL form, so it
 * is read as booleans; other numbers in a BOOL input are refused.
 */
function convert(name: string, datatype: Datatype, leaves: ArrayLike<Leaf>): TensorData {
  const values =
    datatype === "BOOL" && leaves instanceof Uint8Array
      ? Array.from(leaves, (b) => (b === 0 ? false : b === 1 ? true : b))
      : leaves;
  return tensorDataFromValues(datatype, values, { tensor: name, byteArrays: true });
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
