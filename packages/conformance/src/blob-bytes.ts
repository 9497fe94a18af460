import type { Datatype } from "./datatype-table.js";
import { elementsFromJson, rawFromElements } from "./tensor-elements.js";

/** Bytes for a binary-extension blob or a gRPC raw entry. */
export type BlobSpec =
  /** Values encoded as the datatype's raw contents (little-endian; BYTES length-prefixed). */
  | {
      /** The datatype whose raw encoding the values take. */
      readonly datatype: Datatype;
      /** The elements, as a case's JSON writes them. */
      readonly values: readonly unknown[];
    }
  /** Exact bytes, for framing errors and endianness. */
  | {
      /** The bytes in hexadecimal. */
      readonly hex: string;
    };

/** The bytes of a binary-extension blob or a gRPC raw entry written in a case. */
export function blobBytes(blob: BlobSpec): Uint8Array {
  if ("hex" in blob) {
    return Uint8Array.from(Buffer.from(blob.hex, "hex"));
  }
  return rawFromElements(blob.datatype, elementsFromJson(blob.datatype, blob.values));
}
