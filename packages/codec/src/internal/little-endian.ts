import { type Datatype, datatypeTable, type TensorDataMap } from "../datatype.js";
import { invalidArgument } from "../error.js";

/** Raw tensor bytes are little-endian on every wire we speak; typed arrays use the host's order. */
export const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type FixedDatatype = Exclude<Datatype, "BYTES">;

/**
 * Reads `count` little-endian elements from `bytes`. On a little-endian host with an aligned offset
 * the result is a view over the same memory (no copy); otherwise the bytes are copied first, since a
 * typed array cannot start at an unaligned offset.
 */
export function typedArrayFromLittleEndian<D extends FixedDatatype>(
  datatype: D,
  bytes: Uint8Array,
  tensor: string,
): TensorDataMap[D] {
  const info = datatypeTable[datatype];
  const TypedArray = info.TypedArray;
  if (TypedArray === undefined) {
    throw invalidArgument(`tensor '${tensor}': ${datatype} has no fixed element size`, { tensor });
  }
  const size = info.byteSize;
  if (bytes.byteLength % size !== 0) {
    throw invalidArgument(
      `tensor '${tensor}': ${bytes.byteLength} bytes is not a whole number of ${datatype} elements (${size} bytes each)`,
      { tensor },
    );
  }
  const count = bytes.byteLength / size;
  let source = bytes;
  if (bytes.byteOffset % size !== 0) {
    // new Uint8Array(bytes) copies; a Node Buffer's slice() would return a view at the same offset.
    source = new Uint8Array(bytes);
  }
  const view = new TypedArray(source.buffer as ArrayBuffer, source.byteOffset, count);
  if (!hostIsLittleEndian && size > 1) {
    return swapCopy(view, size) as TensorDataMap[D];
  }
  return view as TensorDataMap[D];
}

/** The little-endian bytes of a typed array; a view, not a copy, on a little-endian host. */
export function littleEndianBytes(data: Exclude<TensorDataMap[Datatype], Uint8Array[]>): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (!hostIsLittleEndian && data.BYTES_PER_ELEMENT > 1) {
    const copy = bytes.slice();
    swapInPlace(copy, data.BYTES_PER_ELEMENT);
    return copy;
  }
  return bytes;
}

function swapCopy<T extends ArrayBufferView>(view: T, size: number): T {
  const copy = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
  swapInPlace(copy, size);
  const Ctor = view.constructor as new (buffer: ArrayBuffer) => T;
  return new Ctor(copy.buffer);
}

function swapInPlace(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    bytes.subarray(i, i + size).reverse();
  }
}
