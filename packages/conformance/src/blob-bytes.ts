import type { Datatype, Tensor } from "@tensorwire/codec";
import { tensorToRawContents } from "@tensorwire/codec/grpc";
import { decodeRestInferRequest } from "@tensorwire/codec/rest";
import type { BlobSpec } from "./case-schema.js";

/** JSON values as a tensor of shape [n], read by the codec's own JSON rules. */
export function tensorFromValues(datatype: Datatype, values: readonly unknown[], name = "blob"): Tensor {
  const request = decodeRestInferRequest({
    inputs: [{ name, datatype, shape: [values.length], data: values }],
  });
  return request.inputs[0] as Tensor;
}

export function blobBytes(blob: BlobSpec): Uint8Array {
  if ("hex" in blob) {
    return Uint8Array.from(blob.hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  }
  // Raw contents: little-endian elements, BYTES as a 4-byte LE length + bytes each.
  return tensorToRawContents(tensorFromValues(blob.datatype, blob.values));
}
