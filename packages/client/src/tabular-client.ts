import type { CallOptions } from "@connectrpc/connect";
import { type JsonValue, parseJsonText, type Tensor } from "@tensorwire/codec";
import { arrowIpcFormat, decodeArrowIpc, encodeArrowIpc } from "@tensorwire/codec/arrow";
import { decodePandasRecords, encodePandasRecords } from "@tensorwire/codec/tabular";
import { createPlatformHttpClient, readFileBytes } from "#platform";
import { type ClientOptions, makeClientOptions } from "./client-options.js";
import type { HttpClient } from "./http-client.js";
import { type InferInput, inputTensor } from "./infer-input.js";
import { InferenceError } from "./inference-error.js";
import { createRestCaller, jsonBody, parseJsonBody } from "./rest-caller.js";

export type TabularFormat = "pandas-records" | "arrow";

const contentTypes: Readonly<Record<TabularFormat, string>> = {
  "pandas-records": "application/json; format=pandas-records",
  arrow: "application/vnd.apache.arrow.file",
};

/** Wallaroo-style tabular inference against a pipeline's URL. */
export interface TabularClientOptions extends ClientOptions {
  /** Wire format of columns given as tensors. Default "arrow", Wallaroo's preferred (typed) format. */
  readonly format: TabularFormat;
}

/** Defaults as `makeClientOptions`, except a 15 s timeout per call (Wallaroo's default). */
export function makeTabularClientOptions(options: Partial<TabularClientOptions> = {}): TabularClientOptions {
  return { ...makeClientOptions({ timeoutMs: 15_000, ...options }), format: options.format ?? "arrow" };
}

/**
 * A table: columns as tensors (dim 0 = rows) or `InferInput`s, pandas records, or an Arrow IPC
 * file's bytes. The answer comes back in the format the table went in.
 */
export type TabularInput =
  | readonly (Tensor | InferInput)[]
  | { readonly records: readonly JsonValue[] }
  | { readonly arrow: Uint8Array };

export interface TabularInferOptions extends CallOptions {
  /**
   * Column groups to keep: "time", "in", "out", "anomaly", "metadata", "check_failures" or a full
   * column name. Default ["*"] = time, in, out, anomaly (Wallaroo's). Applied to the answer here.
   */
  readonly dataset?: readonly string[];
  /** Column groups to drop after `dataset`. */
  readonly datasetExclude?: readonly string[];
  /** Joins nested JSON keys into column names ("out" + "dense_1"). Default ".". */
  readonly datasetSeparator?: string;
}

export interface TabularResult {
  /** Column names, in the server's order, after the dataset filters. */
  readonly columns: readonly string[];
  readonly rowCount: number;
  /** A column as a tensor (dim 0 = rows); throws when the column has no tensor form. */
  column(name: string): Tensor;
  /** pandas-records answers: the flattened rows, for columns no tensor can hold. */
  readonly records: readonly { readonly [column: string]: JsonValue }[] | undefined;
}

export interface ParallelInferOptions extends TabularInferOptions {
  /** Requests in flight at once. Default 4. */
  readonly numParallel?: number;
  /** Retries per item, overriding the client's. */
  readonly retries?: number;
}

/** One item of `parallelInfer`, at its input's index: its result or the error it caused. */
export type ParallelOutcome =
  | { readonly index: number; readonly ok: true; readonly result: TabularResult }
  | { readonly index: number; readonly ok: false; readonly error: InferenceError };

export interface TabularClient {
  infer(table: TabularInput, options?: TabularInferOptions): Promise<TabularResult>;
  /** Sends an Arrow IPC file or a pandas-records JSON file (told apart by Arrow's magic bytes). */
  inferFromFile(path: string, options?: TabularInferOptions): Promise<TabularResult>;
  /** Sends every table, `numParallel` at a time; outcomes keep the input order. */
  parallelInfer(tables: readonly TabularInput[], options?: ParallelInferOptions): Promise<ParallelOutcome[]>;
  close(): Promise<void>;
}

const utf8Decoder = new TextDecoder();

export function createTabularClient(
  pipelineUrl: string,
  partial: Partial<TabularClientOptions> = {},
  http?: HttpClient,
): TabularClient {
  const options = makeTabularClientOptions(partial);
  const shared = http ?? createPlatformHttpClient(options);
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
    o: TabularInferOptions = {},
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
      const outcomes: ParallelOutcome[] = new Array(tables.length);
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

function columnFilter(o: TabularInferOptions): ColumnFilter {
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
