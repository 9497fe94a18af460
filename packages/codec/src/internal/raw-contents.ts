import { datatypeInfo } from "../datatype.js";
import { invalidArgument } from "../error.js";
import { elementCount, formatShape, parseShape } from "../shape.js";
import { createTensor, type Parameters, type Tensor } from "../tensor.js";
import { decodeBytesElements, encodeBytesElements } from "./bytes-tensor.js";
import { littleEndianBytes, typedArrayFromLittleEndian } from "./little-endian.js";

/** What describes a tensor apart from its data: the JSON header or proto fields next to raw bytes. */
export interface TensorHeader {
  /** The tensor's name. */
  readonly name: string;
  /** Its datatype, checked against the OIP datatypes. */
  readonly datatype: string;
  /** Its dimensions (bigint as gRPC carries them). */
  readonly shape: readonly (number | bigint)[];
  /** Its parameters. */
  readonly parameters?: Parameters | undefined;
}

/**
 * Decodes a tensor from its raw bytes, the form of gRPC `raw_input_contents` /
 * `raw_output_contents` and of Triton's binary data: little-endian, row-major, no padding; BOOL one
 * byte (0 or 1); BYTES length-prefixed elements (see bytes-tensor.ts). The data is a view into
 * `bytes` whenever alignment allows, so the caller must leave `bytes` unchanged afterwards.
 */
export function tensorFromRawContents(header: TensorHeader, bytes: Uint8Array): Tensor {
  const { name } = header;
  const info = datatypeInfo(header.datatype, name);
  if (info.datatype === "BYTES") {
    return createTensor({ ...header, data: decodeBytesElements(bytes, name) });
  }
  const shape = parseShape(header.shape);
  if (!shape.ok) {
    throw invalidArgument(`tensor '${name}': ${shape.error}`, { tensor: name, field: "shape" });
  }
  const expected = elementCount(shape.value) * info.byteSize;
  if (bytes.length !== expected) {
    throw invalidArgument(
      `tensor '${name}': expected ${expected} bytes for ${info.datatype} shape ${formatShape(shape.value)}, got ${bytes.length}`,
      { tensor: name, field: "data" },
    );
  }
  if (info.datatype === "BOOL") {
    // Other byte values have no defined meaning (the spec says 1 = true, 0 = false); refusing them
    // keeps a BOOL tensor's bytes canonical, so every format encodes it the same way.
    const bad = bytes.findIndex((b) => b > 1);
    if (bad >= 0) {
      throw invalidArgument(`tensor '${name}': BOOL element ${bad} is ${bytes[bad]}, expected 0 or 1`, {
        tensor: name,
        field: "data",
      });
    }
  }
  return createTensor({ ...header, data: typedArrayFromLittleEndian(info.datatype, bytes, name) });
}

/** The raw bytes of a tensor; a view of its data, not a copy, except for BYTES and big-endian hosts. */
export function tensorToRawContents(tensor: Tensor): Uint8Array {
  if (tensor.datatype === "BYTES") {
    return encodeBytesElements(tensor.data, tensor.name);
  }
  return littleEndianBytes(tensor.data);
}
