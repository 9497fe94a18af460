import { create } from "@bufbuild/protobuf";
import { type InferParameter, InferParameterSchema } from "@tensorwire/proto/oip";
import { invalidArgument } from "../error.js";
import type { Parameters, ParameterValue } from "../tensor.js";

/** The `map<string, InferParameter>` of a request, response, tensor or requested output. */
export type ParameterMap = { readonly [key: string]: InferParameter };

const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;
const uint64Max = (1n << 64n) - 1n;
const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Reads an `InferParameter` map; an empty map is absent. 64-bit integers become numbers when they
 * fit in 2^53 and stay `bigint` otherwise, so REST and gRPC callers see the same values.
 */
export function parametersFromGrpc(map: ParameterMap, tensor?: string): Parameters | undefined {
  const keys = Object.keys(map);
  if (keys.length === 0) {
    return undefined;
  }
  const out: Record<string, ParameterValue> = {};
  for (const key of keys) {
    const choice = (map[key] as InferParameter).parameterChoice;
    if (choice.case === undefined) {
      // A peer's field this proto does not know (or none at all): the value is unknown, not empty.
      const where = tensor === undefined ? "" : `tensor '${tensor}': `;
      throw invalidArgument(`${where}parameter '${key}' has no value of a known kind`, {
        tensor,
        field: "parameters",
      });
    }
    const v = choice.value;
    const value = typeof v === "bigint" && v >= -maxSafe && v <= maxSafe ? Number(v) : v;
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return out;
}

/**
 * Writes parameters as `InferParameter`s: integers as `int64_param` (or `uint64_param` above
 * INT64's range), other numbers (-0 included) as `double_param`. KServe's and Seldon's protos lack
 * `double_param` and `uint64_param`; such peers drop those values.
 */
export function parametersToGrpc(parameters: Parameters | undefined): { [key: string]: InferParameter } {
  const out: { [key: string]: InferParameter } = {};
  for (const [key, value] of Object.entries(parameters ?? {})) {
    Object.defineProperty(out, key, {
      value: create(InferParameterSchema, { parameterChoice: parameterChoice(key, value) }),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}

function parameterChoice(key: string, value: ParameterValue): InferParameter["parameterChoice"] {
  switch (typeof value) {
    case "string":
      return { case: "stringParam", value };
    case "boolean":
      return { case: "boolParam", value };
    case "number":
      // -0 is an integer to isSafeInteger, but only a double keeps its sign.
      return Number.isSafeInteger(value) && !Object.is(value, -0)
        ? { case: "int64Param", value: BigInt(value) }
        : { case: "doubleParam", value };
    case "bigint":
      if (value >= int64Min && value <= int64Max) {
        return { case: "int64Param", value };
      }
      if (value >= 0n && value <= uint64Max) {
        return { case: "uint64Param", value };
      }
      throw invalidArgument(`parameter '${key}': ${value} is outside the 64-bit integer range`, {
        field: "parameters",
      });
  }
}
