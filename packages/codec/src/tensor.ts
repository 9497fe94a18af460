import { type Datatype, datatypeInfo, type TensorDataMap } from "./datatype.js";
import { invalidArgument } from "./error.js";
import { elementCount, formatShape, parseShape } from "./shape.js";

/** A parameter value as OIP carries it: JSON string/number/boolean; gRPC adds 64-bit integers. */
export type ParameterValue = string | number | boolean | bigint;
/** Parameters of a request, response, tensor or requested output, by name. */
export type Parameters = Readonly<Record<string, ParameterValue>>;

/** A tensor of one datatype: row-major data in the typed array that `TensorDataMap` assigns it. */
export interface TensorOf<D extends Datatype> {
  /** The input's or output's name. */
  readonly name: string;
  /** The datatype, which fixes the kind of `data`. */
  readonly datatype: D;
  /** Concrete dimensions (no -1); `[]` is a scalar. */
  readonly shape: readonly number[];
  /** The elements in row-major order, as many as the shape's product. */
  readonly data: TensorDataMap[D];
  /** The tensor's parameters, when it has any. */
  readonly parameters?: Parameters;
}

/** The one in-memory tensor: a union over the datatypes, so narrowing `datatype` narrows `data`. */
export type Tensor = { [D in Datatype]: TensorOf<D> }[Datatype];

/** The data of any tensor: one of the arrays of `TensorDataMap`. */
export type TensorData = TensorDataMap[Datatype];

/**
 * Builds a tensor, checking datatype, shape and that the data's kind and length match them.
 * Every decoder ends here, so no malformed tensor leaves the codec. Shape dimensions may be bigint
 * (as gRPC carries them); the data is kept, not copied.
 *
 * @example
 * const x = createTensor({ name: "x", datatype: "FP32", shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) });
 * if (x.datatype === "FP32") x.data; // Float32Array
 */
export function createTensor(init: {
  name: string;
  datatype: string;
  shape: readonly (number | bigint)[];
  data: TensorData;
  parameters?: Parameters | undefined;
}): Tensor {
  const { name } = init;
  const dt = datatypeInfo(init.datatype, name);
  const shape = parseShape(init.shape);
  if (!shape.ok) {
    throw invalidArgument(`tensor '${name}': ${shape.error}`, { tensor: name, field: "shape" });
  }
  const expected = elementCount(shape.value);
  const data = init.data;
  const rightKind =
    dt.TypedArray === undefined
      ? Array.isArray(data)
      : data instanceof (dt.TypedArray as unknown as typeof Object);
  if (!rightKind) {
    throw invalidArgument(
      `tensor '${name}': ${dt.datatype} data must be ${dt.TypedArray?.name ?? "an array of Uint8Array"}`,
      { tensor: name, field: "data" },
    );
  }
  if (data.length !== expected) {
    throw invalidArgument(
      `tensor '${name}': expected ${expected} elements for shape ${formatShape(shape.value)}, got ${data.length}`,
      { tensor: name, field: "data" },
    );
  }
  const tensor = { name, datatype: dt.datatype, shape: shape.value, data } as Tensor;
  return init.parameters === undefined ? tensor : { ...tensor, parameters: init.parameters };
}

/**
 * Element-wise equality by bit pattern (so NaN equals NaN and -0 differs from 0): what a lossless
 * round trip must preserve.
 *
 * @example
 * ```ts
 * import { createTensor, tensorEquals } from "@tensorwire/codec";
 *
 * const nan = () => createTensor({ name: "x", datatype: "FP32", shape: [1], data: Float32Array.of(Number.NaN) });
 * tensorEquals(nan(), nan()); // true
 * ```
 */
export function tensorEquals(a: Tensor, b: Tensor): boolean {
  if (a.name !== b.name || a.datatype !== b.datatype || a.shape.length !== b.shape.length) {
    return false;
  }
  if (a.shape.some((d, i) => d !== b.shape[i])) {
    return false;
  }
  return dataEquals(a.data, b.data);
}

function dataEquals(a: TensorData, b: TensorData): boolean {
  if (a.length !== b.length) {
    return false;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) {
      return false;
    }
    return a.every((x, i) => bytesEqual(x, b[i] as Uint8Array));
  }
  if (a.constructor !== b.constructor) {
    return false;
  }
  return bytesEqual(
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  );
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}
