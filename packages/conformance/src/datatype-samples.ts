import { blobBytes } from "./blob-bytes.js";
import type { Datatype } from "./datatype-table.js";

/**
 * Six JSON values per datatype, sent as shape [2, 3]. They include each type's extremes and zero;
 * INT64 and UINT64 go to the ends of their 64-bit range (bigints, written as exact JSON numbers),
 * so a server that reads JSON integers through doubles loses them. FP16 values are exactly
 * representable as FP16 (65504 is its largest finite value), so an identity round trip must return
 * every value bit for bit.
 */
export const datatypeSamples: Readonly<Record<Datatype, readonly unknown[]>> = {
  BOOL: [true, false, true, true, false, false],
  UINT8: [0, 1, 2, 127, 128, 255],
  UINT16: [0, 1, 256, 32767, 32768, 65535],
  UINT32: [0, 1, 65536, 2147483647, 2147483648, 4294967295],
  UINT64: [0, 1, 4294967296, 9007199254740993n, 9223372036854775808n, 18446744073709551615n],
  INT8: [-128, -1, 0, 1, 2, 127],
  INT16: [-32768, -1, 0, 1, 256, 32767],
  INT32: [-2147483648, -1, 0, 1, 65536, 2147483647],
  INT64: [-9223372036854775808n, -9007199254740993n, -1, 0, 9007199254740993n, 9223372036854775807n],
  FP16: [0, 1, -2, 0.5, 65504, -0.25],
  FP32: [0, 1.5, -2.25, 0.1, 3.4028234663852886e38, -1e-10],
  FP64: [0, 1.5, -2.25, 0.1, 1e300, -1e-300],
  BYTES: ["hello", "", "wörld", "a b", "x", "0"],
};

/** The shape the samples are sent with. */
export const sampleShape = [2, 3] as const;

/**
 * Expands a case template for one datatype: `{dt}` and `{dtl}` inside strings become the datatype
 * and its lower-case form; the whole-string tokens `$values` (flat samples), `$nested` (samples
 * nested as [2, 3]), `$shape` and `$byteSize` (the samples' raw byte length) become values.
 */
export function expandTemplate(template: unknown, datatype: Datatype): unknown {
  const values = datatypeSamples[datatype];
  const tokens: Record<string, unknown> = {
    $values: values,
    $nested: [values.slice(0, 3), values.slice(3)],
    $shape: [...sampleShape],
    $byteSize: blobBytes({ datatype, values }).length,
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") {
      if (node in tokens) {
        return tokens[node];
      }
      return node.replaceAll("{dtl}", datatype.toLowerCase()).replaceAll("{dt}", datatype);
    }
    if (Array.isArray(node)) {
      return node.map(walk);
    }
    if (typeof node === "object" && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    }
    return node;
  };
  return walk(template);
}
