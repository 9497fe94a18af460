import type { BlobSpec } from "./case-schema.js";
import { elementsFromJson, rawFromElements } from "./tensor-elements.js";

/** The bytes of a binary-extension blob or a gRPC raw entry written in a case. */
export function blobBytes(blob: BlobSpec): Uint8Array {
  if ("hex" in blob) {
    return Uint8Array.from(Buffer.from(blob.hex, "hex"));
  }
  return rawFromElements(blob.datatype, elementsFromJson(blob.datatype, blob.values));
}
