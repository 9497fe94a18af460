import { type Datatype, datatypeTable } from "./datatype.js";
import { invalidArgument } from "./error.js";
import { numberToHalf } from "./fp16.js";
import { describeValue } from "./internal/describe-value.js";
import type { TensorData } from "./tensor.js";

/** How the values of `tensorDataFromValues` are spelled and where they came from. */
export interface ValuesOptions {
  /** The tensor the values belong to, named in errors. Default: none named. */
  readonly tensor: string | undefined;
  /** Where the values sit, for errors: "data", "instances", "int_val"... Default "data". */
  readonly field: string;
  /**
   * The shape the values were nested in, so that an error names an element by its nested index
   * (`instances[1][0]`); undefined for values that were flat (`data[2]`). Default undefined.
   */
  readonly nestedShape: readonly number[] | undefined;
  /**
   * How NaN and ±Infinity arrive in FP16/FP32/FP64 values. "number" (default): as numbers only.
   * "string": also as "NaN", "Infinity", "-Infinity", OIP REST's and protobuf JSON's spelling.
   * "null": also null, read as NaN, the spelling of pandas and orjson.
   */
  readonly nonFinite: "number" | "string" | "null";
  /**
   * INT64/UINT64 numbers beyond 2^53. "exact" (default): refused, since `JSON.parse` may have
   * rounded them (`parseJsonText` reads them as bigint). "double": taken as they are, for sources
   * whose numbers are doubles by definition (protobuf `Value`, Seldon's `tensor` values).
   */
  readonly int64: "exact" | "double";
  /**
   * Reads the text of a `{"b64": "..."}` BYTES element (TF-Serving, KServe V1); `index` is the
   * element's. Default undefined: such elements are refused.
   */
  readonly b64: ((text: unknown, index: number) => Uint8Array) | undefined;
  /** Take `Uint8Array` BYTES elements as they are (values from code; JSON has none). Default false. */
  readonly byteArrays: boolean;
}

const defaultValuesOptions: ValuesOptions = {
  tensor: undefined,
  field: "data",
  nestedShape: undefined,
  nonFinite: "number",
  int64: "exact",
  b64: undefined,
  byteArrays: false,
};

const nonFiniteStrings: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

const utf8 = new TextEncoder();
// In a /u regex, surrogate pairs are whole code points, so this matches only lone surrogates: text
// that has no UTF-8 form (String.prototype.isWellFormed is ES2024, past our lib target).
const loneSurrogate = /\p{Surrogate}/u;

/**
 * Converts plain values (JSON leaves, or values from code) in row-major order to the typed data of
 * `datatype`, checking each: BOOL takes only `true`/`false` (0 and 1 are refused, so a count or a
 * probability is caught instead of truncated); integers must be integers within the datatype's
 * range, as numbers or bigints; INT64/UINT64 keep bigints exact; floats take numbers and bigints
 * (FP16 rounds to binary16); BYTES take well-formed Unicode strings as UTF-8. Every JSON format of
 * the codec reads tensor values through this function; `options` says how the source spells what
 * plain JSON cannot carry.
 *
 * @example
 * const data = tensorDataFromValues("INT64", [1, 2n ** 60n], { tensor: "ids" }); // BigInt64Array
 * const tensor = createTensor({ name: "ids", datatype: "INT64", shape: [2], data });
 */
export function tensorDataFromValues(
  datatype: Datatype,
  values: ArrayLike<unknown>,
  options: Partial<ValuesOptions> = {},
): TensorData {
  const o: ValuesOptions = { ...defaultValuesOptions, ...options };
  const info = datatypeTable[datatype];
  const n = values.length;
  const bad = (i: number, expected: string): never => {
    throw invalidArgument(
      `${o.tensor === undefined ? "" : `tensor '${o.tensor}': `}${elementPath(o, i)}: expected ${expected}, got ${describeValue(values[i])}`,
      { tensor: o.tensor, field: o.field },
    );
  };
  switch (info.jsonKind) {
    case "bool": {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === true) {
          out[i] = 1;
        } else if (v !== false) {
          bad(i, "true or false");
        }
      }
      return out;
    }
    case "int": {
      // Any of the small integer arrays; Int32Array stands for them all to the type checker.
      const out = new (info.TypedArray as Int32ArrayConstructor)(n);
      const [lo, hi] = info.range as readonly [bigint, bigint];
      const min = Number(lo);
      const max = Number(hi);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) {
          out[i] = v;
        } else if (typeof v === "bigint" && v >= lo && v <= hi) {
          out[i] = Number(v);
        } else {
          bad(i, `an integer in ${datatype} range [${lo}, ${hi}]`);
        }
      }
      return out;
    }
    case "bigint": {
      const out = datatype === "INT64" ? new BigInt64Array(n) : new BigUint64Array(n);
      const [lo, hi] = info.range as readonly [bigint, bigint];
      for (let i = 0; i < n; i++) {
        const v = values[i];
        const exact =
          typeof v === "bigint"
            ? v
            : Number.isSafeInteger(v) || (o.int64 === "double" && Number.isInteger(v))
              ? BigInt(v as number)
              : undefined;
        if (exact === undefined || exact < lo || exact > hi) {
          const hint =
            typeof v === "number" && Number.isInteger(v) && exact === undefined
              ? " (a number beyond 2^53 may have been rounded by JSON.parse: parse with parseJsonText)"
              : "";
          bad(i, `an integer in ${datatype} range [${lo}, ${hi}]${hint}`);
        }
        out[i] = exact as bigint;
      }
      return out;
    }
    case "float":
    case "half": {
      const expected =
        o.nonFinite === "string"
          ? 'a number (or "NaN", "Infinity", "-Infinity")'
          : o.nonFinite === "null"
            ? "a number (or null for NaN)"
            : "a number";
      const number = (i: number): number => {
        const v = values[i];
        if (typeof v === "number") {
          return v;
        }
        if (typeof v === "bigint") {
          // parseJsonText reads a long integer literal as bigint; as a float it rounds like any number.
          return Number(v);
        }
        if (v === null && o.nonFinite === "null") {
          return Number.NaN;
        }
        if (typeof v === "string" && o.nonFinite === "string" && Object.hasOwn(nonFiniteStrings, v)) {
          return nonFiniteStrings[v] as number;
        }
        return bad(i, expected);
      };
      if (datatype === "FP16") {
        const out = new Uint16Array(n);
        for (let i = 0; i < n; i++) {
          out[i] = numberToHalf(number(i));
        }
        return out;
      }
      const out = datatype === "FP32" ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i] = typeof v === "number" ? v : number(i);
      }
      return out;
    }
    case "bytes": {
      const expected = `a string of well-formed Unicode${o.b64 === undefined ? "" : ' or {"b64": "..."}'}${o.byteArrays ? " or a Uint8Array" : ""}`;
      const out: Uint8Array[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v === "string" && !loneSurrogate.test(v)) {
          out[i] = utf8.encode(v);
        } else if (o.byteArrays && v instanceof Uint8Array) {
          out[i] = v;
        } else if (o.b64 !== undefined && isB64(v)) {
          out[i] = o.b64(v.b64, i);
        } else {
          bad(i, expected);
        }
      }
      return out;
    }
  }
}

/** `{"b64": "..."}`: TF-Serving's (and KServe V1's) form of a binary value in JSON. */
export function isB64(value: unknown): value is { b64: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === "b64";
}

/** `data[5]` for flat values; `instances[1][2]` for values nested in [*, 3]. */
function elementPath(options: ValuesOptions, index: number): string {
  const shape = options.nestedShape;
  if (shape === undefined || shape.length < 2) {
    return `${options.field}[${index}]`;
  }
  const indices: number[] = new Array(shape.length);
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    indices[d] = size === 0 ? 0 : rest % size;
    rest = size === 0 ? 0 : Math.floor(rest / size);
  }
  return `${options.field}${indices.map((i) => `[${i}]`).join("")}`;
}
