import { type Datatype, decodeRestInferRequest, littleEndianBytes, type Tensor } from "@tensorwire/codec";
import type { BlobSpec } from "./case-schema.js";

/** JSON values as a tensor of shape [n], read by the codec's own JSON rules. */
export function tensorFromValues(datatype: Datatype, values: readonly unknown[], name = "blob"): Tensor {
  const request = decodeRestInferRequest({
    inputs: [{ name, datatype, shape: [values.length], data: values }],
  });
  return request.inputs[0] as Tensor;
}

/** A tensor's raw contents: little-endian elements, BYTES as 4-byte LE length + bytes each. */
export function rawBytes(tensor: Tensor): Uint8Array {
  if (tensor.datatype !== "BYTES") {
    return littleEndianBytes(tensor.data);
  }
  const total = tensor.data.reduce((n, e) => n + 4 + e.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const element of tensor.data) {
    view.setUint32(pos, element.length, true);
    out.set(element, pos + 4);
    pos += 4 + element.length;
  }
  return out;
}

export function blobBytes(blob: BlobSpec): Uint8Array {
  if ("hex" in blob) {
    return Uint8Array.from(blob.hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  }
  return rawBytes(tensorFromValues(blob.datatype, blob.values));
}
