import { parentPort, workerData } from "node:worker_threads";
import { parseAllDocuments } from "yaml";

/** What `readYamlFile` parses: the text and how many aliases it may dereference. */
export interface YamlParseInput {
  readonly text: string;
  readonly maxAliasCount: number;
}

/** Every document as plain values, or the parser's first error. */
export type YamlParseOutput =
  | { readonly ok: true; readonly documents: unknown[] }
  | { readonly ok: false; readonly message: string };

/** Parses every document in `text`; never throws. */
export function parseYamlDocuments({ text, maxAliasCount }: YamlParseInput): YamlParseOutput {
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

/** What `readYamlFile` hands its worker thread. */
export interface YamlWorkerData {
  readonly yamlParse: YamlParseInput;
}

// This module is also imported on the main thread (and may be inside someone else's worker), so it
// parses and answers only when started as the parser's thread.
const job = (workerData as Partial<YamlWorkerData> | null)?.yamlParse;
if (parentPort !== null && job !== undefined) {
  parentPort.postMessage(parseYamlDocuments(job));
}
