import { parseArgs } from "node:util";
import { parseJsonText, stringifyJsonText } from "@tensorwire/codec";
import type { InspectJson } from "../pipeline/inspect-json.js";

export interface InspectIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
}

export const pipelineInspectHelp = `Usage: tensorwire pipeline inspect <pipeline>[.<step>][.(inputs|outputs)] [flags]

Shows the inputs and outputs of a pipeline's steps for its last requests, one line per
Seldon topic: <topic>\\t<request id>\\t<JSON>.

Flags:
  --url <url>          The server. Default http://127.0.0.1:8080.
  --request-id <id>    The request to show. Default: the last ones.
  --offset <n>         How many requests, from the latest, to show or search. Default 1.
  --namespace <ns>     The namespace in the topic names printed. Default "default".
  --format raw|json    raw: the topic lines (default); json: the server's answer as it is.
  -h, --help           Show this help.`;

/**
 * The logic of `tensorwire pipeline inspect` (argv: what follows `inspect`): asks the server's
 * `GET /v2/pipelines/{name}/inspect` and prints Seldon's `seldon pipeline inspect` lines.
 * Resolves with the exit code.
 */
export async function runPipelineInspect(argv: readonly string[], io: InspectIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr(`${(err as Error).message}\n\n${pipelineInspectHelp}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(`${pipelineInspectHelp}\n`);
    return 0;
  }
  const [expr] = positionals;
  if (expr === undefined || positionals.length > 1) {
    io.stderr(`expected one pipeline expression\n\n${pipelineInspectHelp}\n`);
    return 2;
  }
  const [pipeline, ...filter] = expr.split(".") as [string, ...string[]];
  const side = filter.at(-1) === "inputs" || filter.at(-1) === "outputs" ? filter.pop() : undefined;
  const step = filter[0];
  const url = new URL(
    `/v2/pipelines/${encodeURIComponent(pipeline)}/inspect`,
    values.url ?? "http://127.0.0.1:8080",
  );
  if (values["request-id"] !== undefined) {
    url.searchParams.set("request_id", values["request-id"]);
  }
  if (values.offset !== undefined) {
    url.searchParams.set("offset", values.offset);
  }
  let res: Response;
  try {
    res = await (io.fetch ?? fetch)(url);
  } catch (err) {
    io.stderr(`cannot reach ${url.origin}: ${(err as Error).message}\n`);
    return 1;
  }
  const text = await res.text();
  if (!res.ok) {
    const message = (parseJsonText(text) as { error?: string } | undefined)?.error ?? text;
    io.stderr(`${res.status}: ${message}\n`);
    return 1;
  }
  if (values.format === "json") {
    io.stdout(`${text}\n`);
    return 0;
  }
  const body = parseJsonText(text) as unknown as InspectJson;
  const ns = values.namespace ?? "default";
  const lines: string[] = [];
  const emit = (topic: string, id: string, sideName: "inputs" | "outputs", tensors: unknown): void => {
    if (tensors !== undefined && (side === undefined || side === sideName)) {
      lines.push(`${topic}.${sideName}\t${id}\t${stringifyJsonText({ [sideName]: tensors } as never)}`);
    }
  };
  // Oldest first, as the topics would be read.
  for (const request of [...body.requests].reverse()) {
    for (const s of request.steps) {
      if (step === undefined || step === s.name) {
        emit(`seldon.${ns}.model.${s.name}`, request.requestId, "inputs", s.inputs);
        emit(`seldon.${ns}.model.${s.name}`, request.requestId, "outputs", s.outputs);
      }
    }
    if (step === undefined) {
      emit(`seldon.${ns}.pipeline.${pipeline}`, request.requestId, "inputs", request.inputs);
      emit(`seldon.${ns}.pipeline.${pipeline}`, request.requestId, "outputs", request.outputs);
    }
  }
  io.stdout(lines.length === 0 ? "" : `${lines.join("\n")}\n`);
  return 0;
}

function parse(argv: readonly string[]) {
  const parsed = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: "string" },
      "request-id": { type: "string" },
      offset: { type: "string" },
      namespace: { type: "string" },
      format: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const { format } = parsed.values;
  if (format !== undefined && format !== "raw" && format !== "json") {
    throw new Error(`--format: expected raw or json, got '${format}'`);
  }
  return parsed;
}
