import { open } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { TensorwireError } from "@tensorwire/codec";
import { workerExecArgv } from "./node-flags.js";
import {
  parseYamlDocuments,
  type YamlParseInput,
  type YamlParseOutput,
  type YamlWorkerData,
} from "./yaml-worker.js";

/**
 * The largest model config or pipeline file the server reads by default, in bytes: 1 MiB, a
 * thousand times a typical config. The YAML parser's tree takes about 100 times the text's size.
 */
export const defaultMaxConfigSize = 1024 * 1024;

/** Limits on a YAML (or JSON) file the server reads as configuration. */
export interface YamlFileLimits {
  /** Largest file in bytes, checked before the file is read. Default `defaultMaxConfigSize`. */
  readonly maxSize: number;
}

/**
 * Aliases a file may dereference (the `yaml` library's own default): a "billion laughs" document,
 * aliases of aliases, is refused at the 101st instead of expanding to gigabytes.
 */
const maxAliasCount = 100;
/** A parse on the worker longer than this is ended and refused. */
const parseTimeoutMs = 10_000;
/** The worker's heap; a document whose tree needs more is refused. */
const workerHeapMiB = 256;
/**
 * Files up to this size are parsed on the event loop. The parser's worst case at 8 KiB (thousands
 * of keys in one mapping, or brackets nested thousands deep) measured 20–30 ms, about one large
 * inference request; a typical config is under 1 KiB. A thread per file cost 5–6 MiB of resident
 * memory per model that never came back, so only larger files pay for one.
 */
const inlineParseMaxBytes = 8 * 1024;

// Under the test runner this module is TypeScript source, and so is its worker (Node strips types).
const workerUrl = new URL(
  import.meta.url.endsWith(".ts") ? "./yaml-worker.ts" : "./yaml-worker.js",
  import.meta.url,
);

/**
 * Reads a YAML file (JSON is YAML) and returns its documents as plain values. The file is refused
 * before it is read when larger than `maxSize`. A file over 8 KiB is parsed on a worker thread
 * with its own heap and a deadline, one file at a time, because the YAML parser takes seconds and
 * hundreds of MiB on a megabyte of text, which on the event loop would stall health checks and
 * every request. Every failure is an `invalid_argument` error naming `where` and, for a limit, the
 * limit.
 */
export async function readYamlFile(path: string, where: string, limits: YamlFileLimits): Promise<unknown[]> {
  const refuse = (message: string, cause?: unknown): never => {
    throw new TensorwireError("invalid_argument", `${where}: ${message}`, {}, { cause });
  };
  // One open file for the size check and the read, so a file swapped in between cannot slip by.
  const file = await open(path, "r");
  let text: string;
  try {
    const { size } = await file.stat();
    if (size > limits.maxSize) {
      refuse(
        `the file is ${size} bytes, larger than the limit of ${limits.maxSize} bytes (--max-config-size)`,
      );
    }
    text = await file.readFile("utf8");
  } finally {
    await file.close();
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.maxSize) {
    refuse(`the file grew past the limit of ${limits.maxSize} bytes (--max-config-size) while read`);
  }
  const input = { text, maxAliasCount };
  const output =
    bytes <= inlineParseMaxBytes
      ? parseYamlDocuments(input)
      : await parseOnWorker(input).catch((err: unknown) =>
          refuse(err instanceof Error ? err.message : String(err), err),
        );
  return output.ok ? output.documents : refuse(output.message);
}

/**
 * The parse that ran last on a worker: each waits for the one before, so a repository of large
 * configs never holds more than one parser's heap at once.
 */
let lastWorkerParse: Promise<unknown> = Promise.resolve();

function parseOnWorker(input: YamlParseInput): Promise<YamlParseOutput> {
  const parse = lastWorkerParse.then(() => parseOnOneWorker(input));
  lastWorkerParse = parse.catch(() => undefined);
  return parse;
}

function parseOnOneWorker(input: YamlParseInput): Promise<YamlParseOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, {
      workerData: { yamlParse: input } satisfies YamlWorkerData,
      execArgv: workerExecArgv(),
      resourceLimits: { maxOldGenerationSizeMb: workerHeapMiB },
    });
    const timer = setTimeout(() => {
      reject(new Error(`parsing took longer than ${parseTimeoutMs / 1000} s, the limit`));
      void worker.terminate();
    }, parseTimeoutMs);
    const settle = () => clearTimeout(timer);
    worker.once("message", (output: YamlParseOutput) => {
      settle();
      resolve(output);
      void worker.terminate();
    });
    worker.once("error", (err: Error & { code?: string }) => {
      settle();
      reject(
        err.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? new Error(`the document needs more than the parser's ${workerHeapMiB} MiB of memory`)
          : err,
      );
    });
    worker.once("exit", (code) => {
      settle();
      reject(new Error(`the YAML parser's thread exited with code ${code}`));
    });
  });
}
