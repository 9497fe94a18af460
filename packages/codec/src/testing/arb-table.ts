import fc from "fast-check";
import { type Datatype, datatypes } from "../datatype.js";
import { elementCount } from "../shape.js";
import { createTensor, type Tensor } from "../tensor.js";
import { arbData, arbShape } from "./arbitraries.js";

export interface TableArbOptions {
  readonly datatypes?: readonly Datatype[];
  /** Restrict BYTES elements, e.g. to UTF-8 text for formats that carry strings. */
  readonly bytes?: fc.Arbitrary<Uint8Array>;
  readonly maxColumns?: number;
  /** Map generated data, e.g. to keep INT64 within what a format's doubles hold. */
  readonly mapData?: (tensor: Tensor) => Tensor;
}

/**
 * Tensors that share dim 0 with distinct names: the columns of a table, or the inputs of one
 * row-format request. Each has rank ≥ 1 since a row format cannot carry a scalar.
 */
export function arbTable(options: TableArbOptions = {}): fc.Arbitrary<Tensor[]> {
  const column = fc.record({
    datatype: fc.constantFrom(...(options.datatypes ?? datatypes)),
    inner: arbShape(2, 3),
  });
  return fc
    .record({
      rows: fc.integer({ min: 0, max: 4 }),
      names: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), {
        minLength: 1,
        maxLength: options.maxColumns ?? 3,
      }),
    })
    .chain(({ rows, names }) =>
      fc.tuple(
        ...names.map((name) =>
          column.chain(({ datatype, inner }) => {
            const shape = [rows, ...inner];
            const count = elementCount(shape);
            const data =
              datatype === "BYTES" && options.bytes !== undefined
                ? fc.array(options.bytes, { minLength: count, maxLength: count })
                : arbData(datatype, count);
            return data.map((d) => {
              const t = createTensor({ name, datatype, shape, data: d });
              return options.mapData === undefined ? t : options.mapData(t);
            });
          }),
        ),
      ),
    );
}

/** What a JSON dialect can be expected to give back: NaN payloads (and, where given, ±Infinity) collapse. */
export function canonicalNaN(tensor: Tensor, infinityToNaN: boolean): Tensor {
  const bad = (x: number): boolean => Number.isNaN(x) || (infinityToNaN && !Number.isFinite(x));
  switch (tensor.datatype) {
    case "FP16":
      return {
        ...tensor,
        data: tensor.data.map((b) =>
          (b & 0x7c00) === 0x7c00 && (infinityToNaN || (b & 0x3ff) !== 0) ? 0x7e00 : b,
        ),
      };
    case "FP32":
      return { ...tensor, data: tensor.data.map((x) => (bad(x) ? Number.NaN : x)) };
    case "FP64":
      return { ...tensor, data: tensor.data.map((x) => (bad(x) ? Number.NaN : x)) };
    default:
      return tensor;
  }
}

/** INT64/UINT64 values that a double holds exactly, for formats whose numbers are doubles. */
export function within53Bits(tensor: Tensor): Tensor {
  if (tensor.datatype === "INT64") {
    return { ...tensor, data: tensor.data.map((v) => v >> 11n) };
  }
  if (tensor.datatype === "UINT64") {
    return { ...tensor, data: tensor.data.map((v) => v >> 11n) };
  }
  return tensor;
}
