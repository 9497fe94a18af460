import { invalidArgument } from "../error.js";

/**
 * The serialized form of a BYTES tensor, shared by gRPC raw contents and Triton's binary data:
 * each element is a 4-byte unsigned little-endian length followed by that many bytes, elements
 * concatenated with no padding (Triton's `serialize_byte_tensor`, format `<I`).
 */

const lengthPrefixSize = 4;

/**
 * Splits serialized BYTES into its elements. The elements are views into `bytes`, not copies, so
 * they stay valid only as long as the caller leaves `bytes` unchanged.
 */
export function decodeBytesElements(bytes: Uint8Array, tensor: string): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elements: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < lengthPrefixSize) {
      throw invalidArgument(
        `tensor '${tensor}': incomplete length prefix of BYTES element ${elements.length} at byte ${pos}: expected 4 bytes, got ${bytes.length - pos}`,
        { tensor },
      );
    }
    const length = view.getUint32(pos, true);
    pos += lengthPrefixSize;
    if (length > bytes.length - pos) {
      throw invalidArgument(
        `tensor '${tensor}': BYTES element ${elements.length} declares ${length} bytes at byte ${pos - lengthPrefixSize}, but only ${bytes.length - pos} remain`,
        { tensor },
      );
    }
    elements.push(bytes.subarray(pos, pos + length));
    pos += length;
  }
  return elements;
}

/** The serialized size of BYTES elements, to size a buffer before writing them. */
export function bytesElementsByteLength(elements: readonly Uint8Array[]): number {
  let size = elements.length * lengthPrefixSize;
  for (const element of elements) {
    size += element.length;
  }
  return size;
}

/** Serializes BYTES elements; each must be shorter than 4 GiB, the reach of the length prefix. */
export function encodeBytesElements(elements: readonly Uint8Array[], tensor: string): Uint8Array {
  const out = new Uint8Array(bytesElementsByteLength(elements));
  const view = new DataView(out.buffer);
  let pos = 0;
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i] as Uint8Array;
    if (element.length > 0xffffffff) {
      throw invalidArgument(
        `tensor '${tensor}': BYTES element ${i} is ${element.length} bytes, over the 4 GiB limit`,
        {
          tensor,
        },
      );
    }
    view.setUint32(pos, element.length, true);
    out.set(element, pos + lengthPrefixSize);
    pos += lengthPrefixSize + element.length;
  }
  return out;
}
