import { parentPort, workerData } from "node:worker_threads";
import { parseAllDocuments } from "yaml";

/** What `readYamlFile` sends its worker. */
export interface YamlWorkerInput {
  readonly text: string;
  readonly maxAliasCount: number;
}

/** What the worker answers: every document as plain values, or the parser's first error. */
export type YamlWorkerOutput =
  | { readonly ok: true; readonly documents: unknown[] }
  | { readonly ok: false; readonly message: string };

function parse({ text, maxAliasCount }: YamlWorkerInput): YamlWorkerOutput {
  try {
    const documents: unknown[] = [];
    for (const doc of parseAllDocuments(text)) {
      const error = doc.errors[0];
      if (error !== undefined) {
        return { ok: false, message: error.message };
      }
      documents.push(doc.toJS({ maxAliasCount }));
    }
    return { ok: true, documents };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

parentPort?.postMessage(parse(workerData as YamlWorkerInput));
