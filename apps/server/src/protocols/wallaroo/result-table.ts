import { hostname } from "node:os";
import {
  createTensor,
  halfToNumber,
  invalidArgument,
  type JsonValue,
  type Tensor,
  TensorwireError,
} from "@tensorwire/codec";
import type { encodePandasRecords } from "@tensorwire/codec/tabular";
import type { ValidationConfig } from "../../core/model-extras.js";

/**
 * Wallaroo's inference result as a table: one row per input row, columns `time`, `in.<input>`,
 * `out.<output>`, `check_failures`, `anomaly.count`, `anomaly.<validation>` and `metadata.*`.
 * Each column is a tensor whose dim 0 is the row count, so pandas records and Arrow encode it
 * alike.
 */

export interface ResultFacts {
  readonly model: string;
  readonly version: string;
  /** Epoch milliseconds of the request. */
  readonly time: number;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly validations: readonly ValidationConfig[];
  /** Nanoseconds: parsing the input, then each step (one: the model). */
  readonly elapsed: readonly [bigint, bigint];
}

/** The `dataset` groups; `*` is the first five, Wallaroo's default. */
const groups = ["time", "in", "out", "anomaly", "check_failures", "metadata"] as const;

// Wallaroo's engine names its partition after the pod; this process's host is the equivalent.
const partition = hostname();

export function resultColumns(facts: ResultFacts): Tensor[] {
  const rows = facts.inputs[0]?.shape[0] ?? facts.outputs[0]?.shape[0] ?? 0;
  const fill = <T>(value: T): T[] => new Array<T>(rows).fill(value);
  const text = (value: string) => fill(new TextEncoder().encode(value));
  const renamed = (prefix: string) => (t: Tensor) => ({ ...t, name: `${prefix}.${t.name}` }) as Tensor;
  const columns: Tensor[] = [
    createTensor({
      name: "time",
      datatype: "INT64",
      shape: [rows],
      data: new BigInt64Array(rows).fill(BigInt(facts.time)),
    }),
    ...facts.inputs.map(renamed("in")),
    ...facts.outputs.map(renamed("out")),
    createTensor({ name: "check_failures", datatype: "INT32", shape: [rows, 0], data: new Int32Array(0) }),
  ];
  const flags = facts.validations.map((v) => anomalies(v, columns, rows));
  const count = new Int8Array(rows);
  for (const flag of flags) {
    flag.forEach((f, r) => {
      count[r] = (count[r] as number) + f;
    });
  }
  columns.push(createTensor({ name: "anomaly.count", datatype: "INT8", shape: [rows], data: count }));
  facts.validations.forEach((v, i) => {
    columns.push(
      createTensor({
        name: `anomaly.${v.name}`,
        datatype: "BOOL",
        shape: [rows],
        data: flags[i] as Uint8Array,
      }),
    );
  });
  const lastModel = JSON.stringify({ model_name: facts.model, model_sha: "" });
  const elapsed = new BigUint64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    elapsed.set(facts.elapsed, r * 2);
  }
  columns.push(
    createTensor({ name: "metadata.last_model", datatype: "BYTES", shape: [rows], data: text(lastModel) }),
    createTensor({
      name: "metadata.pipeline_version",
      datatype: "BYTES",
      shape: [rows],
      data: text(facts.version),
    }),
    createTensor({ name: "metadata.elapsed", datatype: "UINT64", shape: [rows, 2], data: elapsed }),
    createTensor({ name: "metadata.dropped", datatype: "INT32", shape: [rows, 0], data: new Int32Array(0) }),
    createTensor({ name: "metadata.partition", datatype: "BYTES", shape: [rows], data: text(partition) }),
  );
  return columns;
}

/** 1 per row where any element of the row's cell in `v.column` compares true. */
function anomalies(v: ValidationConfig, columns: readonly Tensor[], rows: number): Uint8Array {
  const column = columns.find((c) => c.name === v.column);
  if (column === undefined || column.datatype === "BYTES") {
    throw new TensorwireError(
      "failed_precondition",
      `validation '${v.name}': ${column === undefined ? "no" : "a BYTES"} column '${v.column}'; expected a numeric in.<input> or out.<output>`,
    );
  }
  const width = rows === 0 ? 0 : column.data.length / rows;
  const at = (i: number): number =>
    column.datatype === "FP16" ? halfToNumber(column.data[i] as number) : Number(column.data[i]);
  const hit = compare[v.op];
  const out = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let i = r * width; i < (r + 1) * width; i++) {
      if (hit(at(i), v.value)) {
        out[r] = 1;
        break;
      }
    }
  }
  return out;
}

const compare: Readonly<Record<ValidationConfig["op"], (a: number, b: number) => boolean>> = {
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

/**
 * The columns `dataset` asks for minus those `exclude` names. An entry names a group (`out`) or a
 * column (`out.dense_1`, `metadata.elapsed`); `*` is time, in, out, anomaly and check_failures.
 */
export function selectColumns(
  columns: readonly Tensor[],
  dataset: readonly string[],
  exclude: readonly string[],
): Tensor[] {
  const expand = (entries: readonly string[], field: string) =>
    entries.flatMap((entry) => {
      if (entry === "*") {
        return groups.slice(0, 5);
      }
      const group = entry.split(".")[0] as string;
      if (!(groups as readonly string[]).includes(group)) {
        throw invalidArgument(
          `${field}: unknown dataset '${entry}'; expected *, ${groups.join(", ")} or <group>.<column>`,
          {
            field,
          },
        );
      }
      return [entry];
    });
  const include = expand(dataset, "dataset");
  const drop = expand(exclude, "dataset_exclude");
  const covers = (entries: readonly string[], name: string) =>
    entries.some((e) => name === e || name.startsWith(`${e}.`));
  return columns.filter((c) => covers(include, c.name) && !covers(drop, c.name));
}

/** Renames `group.column` to `group<separator>column`: Wallaroo's `dataset_separator`. */
export function withSeparator(columns: readonly Tensor[], separator: string): Tensor[] {
  return separator === "."
    ? [...columns]
    : columns.map((c) => ({ ...c, name: c.name.replace(".", separator) }) as Tensor);
}

/**
 * Pandas records: with a separator, flat keys (`out.dense_1`); without, nested objects
 * (`{"out": {"dense_1": ...}}`), the form Wallaroo's REST API answers.
 */
export function resultRecords(
  encode: typeof encodePandasRecords,
  columns: readonly Tensor[],
  separator: string | undefined,
): JsonValue[] {
  const records = encode(separator === undefined ? columns : withSeparator(columns, separator));
  if (separator !== undefined) {
    return records;
  }
  return records.map((record) => {
    const nested: { [key: string]: JsonValue } = {};
    for (const [key, value] of Object.entries(record as { [key: string]: JsonValue })) {
      const dot = key.indexOf(".");
      if (dot < 0) {
        nested[key] = value;
        continue;
      }
      const group = key.slice(0, dot);
      const inner = (nested[group] ?? {}) as { [key: string]: JsonValue };
      inner[key.slice(dot + 1)] = value;
      nested[group] = inner;
    }
    return nested;
  });
}
