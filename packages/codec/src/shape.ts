import type { Result } from "./error.js";
import { describeValue } from "./internal/describe-value.js";

/**
 * Checks a request shape: every dimension a non-negative safe integer. `-1` belongs in model
 * metadata only; a tensor on the wire always has concrete dimensions.
 *
 * @example
 * parseShape([1, 3n]); // { ok: true, value: [1, 3] }
 * parseShape([-1]); // { ok: false, error: "expected shape[0] to be a non-negative integer, got -1" }
 */
export function parseShape(value: unknown): Result<number[]> {
  if (!Array.isArray(value)) {
    return {
      ok: false,
      error: `expected shape to be an array of non-negative integers, got ${describeValue(value)}`,
    };
  }
  const shape: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const dim: unknown = value[i];
    const n = typeof dim === "bigint" ? Number(dim) : dim;
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
      return {
        ok: false,
        error: `expected shape[${i}] to be a non-negative integer, got ${describeValue(dim)}`,
      };
    }
    shape.push(n);
  }
  return { ok: true, value: shape };
}

/** Product of the dimensions; 1 for a scalar (empty shape). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
  }
  return n;
}

/**
 * A shape as error messages and logs write it: `[1,3]`.
 *
 * @example
 * formatShape([1, 3]); // "[1,3]"
 */
export function formatShape(shape: readonly (number | bigint)[]): string {
  return `[${shape.join(",")}]`;
}
