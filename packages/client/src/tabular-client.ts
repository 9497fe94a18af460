import type { CallOptions } from "@connectrpc/connect";
import { type JsonValue, parseJsonText, type Tensor } from "@tensorwire/codec";
import { arrowIpcFormat, decodeArrowIpc, encodeArrowIpc } from "@tensorwire/codec/arrow";
import { decodePandasRecords, encodePandasRecords } from "@tensorwire/codec/tabular";
import { createPlatformHttpClient, readFileBytes } from "#platform";
import { type ClientOptions, makeClientOptions } from "./client-options.js";
import { type InferInput, inputTensor } from "./infer-input.js";
import { InferenceError } from "./inference-error.js";
import { createRestCaller, jsonBody, parseJsonBody } from "./rest-caller.js";

/**
 * The wire format of a table given as tensors: Arrow IPC (typed) or pandas records (JSON).
 *
 * @example
 * const client = createTabularClient(pipelineUrl, { format: "pandas-records" });
 */
export type TabularFormat = "pandas-records" | "arrow";

const contentTypes: Readonly<Record<TabularFormat, string>> = {
  "pandas-records": "application/json; format=pandas-records",
  arrow: "application/vnd.apache.arrow.file",
};

/**
 * Options of `createTabularClient`, on top of the shared `ClientOptions`; `timeoutMs` defaults to
 * 15 s here (Wallaroo's default) instead of 60 s.
 *
 * @example
 * const client = createTabularClient(pipelineUrl, { format: "arrow", timeoutMs: 30_000 });
 */
export interface TabularClientOptions extends ClientOptions {
  /** Wire format of columns given as tensors. Default "arrow", Wallaroo's preferred (typed) format. */
  readonly format: TabularFormat;
}

/** The options with their defaults, merged in this one place. */
export function makeTabularClientOptions(options: Partial<TabularClientOptions> = {}): TabularClientOptions {
  return { ...makeClientOptions({ timeoutMs: 15_000, ...options }), format: options.format ?? "arrow" };
}

/**
 * A table: columns as tensors (dim 0 = rows) or `InferInput`s, pandas records, or an Arrow IPC
 * file's bytes. The answer comes back in the format the table went in.
 *
 * @example
 * const columns: TabularInput = [inferInput("input", [1, 4], "FP32", [[5.1, 3.5, 1.4, 0.2]])];
 * const records: TabularInput = { records: [{ input: [5.1, 3.5, 1.4, 0.2] }] };
 */
export type TabularInput =
  | readonly (Tensor | InferInput)[]
  | {
      /** Rows as JSON objects (pandas' `records` orient). */
      readonly records: readonly JsonValue[];
    }
  | {
      /** A table already in Arrow IPC file format, sent as is. */
      readonly arrow: Uint8Array;
    };

/**
 * Options of one tabular inference: which column groups of the answer to keep (Wallaroo's
 * `dataset` arguments, applied here).
 *
 * @example
 * const result = await client.infer(table, { dataset: ["out"], datasetExclude: ["out.debug"] });
 */
export interface TabularInferCallOptions extends CallOptions {
  /**
   * Column groups to keep: "time", "in", "out", "anomaly", "metadata", "check_failures" or a full
   * column name. Default ["*"] = time, in, out, anomaly (Wallaroo's).
   */
  readonly dataset?: readonly string[];
  /** Column groups to drop after `dataset`. Default none. */
  readonly datasetExclude?: readonly string[];
  /** Joins nested JSON keys into column names ("out" + "dense_1"). Default ".". */
  readonly datasetSeparator?: string;
}

/**
 * A tabular answer.
 *
 * @example
 * const result = await client.infer(table);
 * console.log(result.columns, result.rowCount, result.column("out.predict").data);
 */
export interface TabularResult {
  /** Column names, in the server's order, after the dataset filters. */
  readonly columns: readonly string[];
  /** How many rows the answer has. */
  readonly rowCount: number;
  /** A column as a tensor (dim 0 = rows); throws when the column has no tensor form. */
  column(name: string): Tensor;
  /** pandas-records answers: the flattened rows, for columns no tensor can hold. */
  readonly records: readonly { readonly [column: string]: JsonValue }[] | undefined;
}

/**
 * Options of `parallelInfer`.
 *
 * @example
 * const outcomes = await client.parallelInfer(tables, { numParallel: 8, retries: 1 });
 */
export interface TabularParallelInferCallOptions extends TabularInferCallOptions {
  /** Requests in flight at once. Default 4. */
  readonly numParallel?: number;
  /** Retries per item, overriding the client's. Default: the client's `retries`. */
  readonly retries?: number;
}

/**
 * One item of `parallelInfer`, at its input's index: its result or the error it caused.
 *
 * @example
 * for (const outcome of await client.parallelInfer(tables)) {
 *   console.log(outcome.index, outcome.ok ? outcome.result.rowCount : outcome.error.message);
 * }
 */
export type TabularParallelOutcome =
  | {
      /** The table's position in the input. */
      readonly index: number;
      /** Succeeded. */
      readonly ok: true;
      /** The answer. */
      readonly result: TabularResult;
    }
  | {
      /** The table's position in the input. */
      readonly index: number;
      /** Failed. */
      readonly ok: false;
      /** Why. */
      readonly error: InferenceError;
    };

/**
 * A Wallaroo-style tabular inference client (see `createTabularClient`).
 *
 * @example
 * const client = createTabularClient("http://localhost:8080/pipelines/iris");
 * const result = await client.infer({ records: [{ input: [5.1, 3.5, 1.4, 0.2] }] });
 * await client.close();
 */
export interface TabularClient {
  /** Sends one table; the answer comes back in the format the table went in. */
  infer(table: TabularInput, options?: TabularInferCallOptions): Promise<TabularResult>;
  /** Sends an Arrow IPC file or a pandas-records JSON file (told apart by Arrow's magic bytes; Node only). */
  inferFromFile(path: string, options?: TabularInferCallOptions): Promise<TabularResult>;
  /** Sends every table, `numParallel` at a time; outcomes keep the input order. */
  parallelInfer(
    tables: readonly TabularInput[],
    options?: TabularParallelInferCallOptions,
  ): Promise<TabularParallelOutcome[]>;
  /** Closes the client's connections. */
  close(): Promise<void>;
}

const utf8Decoder = new TextDecoder();

/**
 * The Wallaroo-style tabular inference client for the pipeline at `pipelineUrl`: tables as Arrow
 * IPC (default) or pandas records, from tensors, records, Arrow bytes or a file, one at a time or
 * several in parallel.
 *
 * @example
 * import { createTabularClient, inferInput } from "@tensorwire/client";
 *
 * const tabular = createTabularClient("http://localhost:8080/pipelines/iris", { format: "pandas-records" });
 * const result = await tabular.infer([inferInput("input", [1, 4], "FP32", [[5.1, 3.5, 1.4, 0.2]])]);
 * console.log(result.records?.[0]?.["out.predict"]);
 * await tabular.close();
 */
export function createTabularClient(
  pipelineUrl: string,
  partial: Partial<TabularClientOptions> = {},
): TabularClient {
  const options = makeTabularClientOptions(partial);
  const shared = createPlatformHttpClient(options);
  const callers = new Map<number, ReturnType<typeof createRestCaller>>();
  const base = createRestCaller(pipelineUrl, options, shared);
  // parallelInfer may override retries: one caller per retry count, all on the same connections.
  const callerFor = (retries: number | undefined) => {
    if (retries === undefined || retries === options.retries) {
      return base;
    }
    let caller = callers.get(retries);
    if (caller === undefined) {
      caller = createRestCaller(pipelineUrl, { ...options, retries }, shared);
      callers.set(retries, caller);
    }
    return caller;
  };

  async function infer(
    table: TabularInput,
    o: TabularInferCallOptions = {},
    retries?: number,
  ): Promise<TabularResult> {
    const { format, body } = encodeTable(table, options.format);
    const res = await callerFor(retries).call(
      {
        method: "POST",
        path: "",
        headers: { "content-type": contentTypes[format], accept: contentTypes[format] },
        body,
      },
      o,
    );
    const isArrow = (res.headers.get("content-type") ?? "").includes("arrow");
    const filter = columnFilter(o);
    if (isArrow) {
      return tensorResult(decodeArrowIpc(res.body), filter);
    }
    const json = parseJsonBody(res, `POST ${pipelineUrl}`);
    if (!Array.isArray(json)) {
      throw new InferenceError(
        "internal",
        `expected pandas records (a JSON array), got ${utf8Decoder.decode(res.body).slice(0, 200)}`,
      );
    }
    return recordsResult(json, o.datasetSeparator ?? ".", filter);
  }

  return {
    infer: (table, o) => infer(table, o),

    async inferFromFile(path, o) {
      const bytes = await readFileBytes(path);
      if (bytes.length >= 6 && arrowIpcFormat(bytes) === "file") {
        return infer({ arrow: bytes }, o);
      }
      const json = parseJsonText(utf8Decoder.decode(bytes));
      if (!Array.isArray(json)) {
        throw new InferenceError(
          "invalid_argument",
          `${path}: expected an Arrow IPC file or a JSON array of records`,
        );
      }
      return infer({ records: json }, o);
    },

    async parallelInfer(tables, o = {}) {
      const { numParallel = 4, retries, ...callOptions } = o;
      const outcomes: TabularParallelOutcome[] = new Array(tables.length);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < tables.length; i = next++) {
          try {
            outcomes[i] = {
              index: i,
              ok: true,
              result: await infer(tables[i] as TabularInput, callOptions, retries),
            };
          } catch (err) {
            const error =
              err instanceof InferenceError
                ? err
                : new InferenceError("internal", String(err), { cause: err });
            outcomes[i] = { index: i, ok: false, error };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(numParallel, tables.length)) }, worker));
      return outcomes;
    },

    close: () => shared.close(),
  };
}

function encodeTable(
  table: TabularInput,
  format: TabularFormat,
): { format: TabularFormat; body: Uint8Array[] } {
  if ("arrow" in table) {
    return { format: "arrow", body: [table.arrow] };
  }
  if ("records" in table) {
    return { format: "pandas-records", body: [...jsonBody([...table.records])] };
  }
  const tensors = table.map((t) =>
    "data" in t && "kind" in t.data ? inputTensor(t as InferInput) : (t as Tensor),
  );
  return format === "arrow"
    ? { format, body: [encodeArrowIpc(tensors)] }
    : { format, body: [...jsonBody(encodePandasRecords(tensors))] };
}

type ColumnFilter = (column: string) => boolean;

const everything = ["time", "in", "out", "anomaly"];

function columnFilter(o: TabularInferCallOptions): ColumnFilter {
  const sep = o.datasetSeparator ?? ".";
  const dataset = (o.dataset ?? ["*"]).flatMap((d) => (d === "*" ? everything : [d]));
  const matches = (groups: readonly string[], column: string) =>
    groups.some((g) => column === g || column.startsWith(`${g}${sep}`));
  return (column) => matches(dataset, column) && !matches(o.datasetExclude ?? [], column);
}

function tensorResult(tensors: readonly Tensor[], keep: ColumnFilter): TabularResult {
  const kept = tensors.filter((t) => keep(t.name));
  return {
    columns: kept.map((t) => t.name),
    rowCount: tensors[0]?.shape[0] ?? 0,
    column: (name) => {
      const t = kept.find((c) => c.name === name);
      if (t === undefined) {
        throw new InferenceError(
          "not_found",
          `no column '${name}': the result has ${kept.map((c) => c.name).join(", ")}`,
        );
      }
      return t;
    },
    records: undefined,
  };
}

/** `{"out": {"dense_1": [..]}}` → `{"out.dense_1": [..]}`: one level, as Wallaroo's DataFrames show. */
function flatten(row: JsonValue, sep: string): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    throw new InferenceError("internal", `expected each record to be an object, got ${JSON.stringify(row)}`);
  }
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [inner, v] of Object.entries(value)) {
        out[`${key}${sep}${inner}`] = v;
      }
    } else {
      out[key] = value;
    }
  }
  return out;
}

function recordsResult(rows: readonly JsonValue[], sep: string, keep: ColumnFilter): TabularResult {
  const flat = rows.map((r) => flatten(r, sep));
  const columns = Object.keys(flat[0] ?? {}).filter(keep);
  const records = flat.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] as JsonValue])));
  return {
    columns,
    rowCount: records.length,
    column: (name) => {
      if (!columns.includes(name)) {
        throw new InferenceError("not_found", `no column '${name}': the result has ${columns.join(", ")}`);
      }
      const [tensor] = decodePandasRecords(records.map((r) => ({ [name]: r[name] as JsonValue })));
      return tensor as Tensor;
    },
    records,
  };
}
