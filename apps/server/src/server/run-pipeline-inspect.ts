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

const program = "tensorwire pipeline inspect";

/**
 * The logic of `tensorwire pipeline inspect` (argv: what follows `inspect`): asks the server's
 * `GET /v2/pipelines/{name}/inspect` and prints Seldon's `seldon pipeline inspect` lines.
 * Resolves with the exit code: 0 printed, 1 the server answered with an error, 2 a usage error,
 * 4 no answer from `--url`. Errors are one line on stderr.
 */
export async function runPipelineInspect(argv: readonly string[], io: InspectIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr(`${program}: ${(err as Error).message}; run '${program} --help'\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(`${pipelineInspectHelp}\n`);
    return 0;
  }
  const [expr] = positionals;
  if (expr === undefined || positionals.length > 1) {
    io.stderr(
      `${program}: expected one pipeline expression, such as tfsimples or tfsimples.tfsimple1.outputs; run '${program} --help'\n`,
    );
    return 2;
  }
  const [pipeline, ...filter] = expr.split(".") as [string, ...string[]];
  const side = filter.at(-1) === "inputs" || filter.at(-1) === "outputs" ? filter.pop() : undefined;
  const step = filter[0];
  let url: URL;
  try {
    url = new URL(
      `/v2/pipelines/${encodeURIComponent(pipeline)}/inspect`,
      values.url ?? "http://127.0.0.1:8080",
    );
  } catch {
    io.stderr(`${program}: --url: expected a URL such as http://127.0.0.1:8080, got '${values.url}'\n`);
    return 2;
  }
  if (values["request-id"] !== undefined) {
    url.searchParams.set("request_id", values["request-id"]);
  }
  if (values.offset !== undefined) {
    url.searchParams.set("offset", values.offset);
  }
  let res: Response;
  let text: string;
  try {
    res = await (io.fetch ?? fetch)(url);
    text = await res.text();
  } catch (err) {
    io.stderr(
      `${program}: cannot reach ${url.origin}: ${causeOf(err)}; check --url and that the server is running\n`,
    );
    return 4;
  }
  const json = parseJsonOrUndefined(text);
  if (!res.ok) {
    const error = (json as { error?: unknown } | undefined)?.error;
    if (typeof error !== "string") {
      io.stderr(
        `${program}: ${url.href} answered ${res.status} without a tensorwire error; check that --url is a tensorwire server\n`,
      );
      return 4;
    }
    const hint = res.status === 404 ? "; check the pipeline name, the request id and --offset" : "";
    io.stderr(`${program}: ${res.status}: ${error}${hint}\n`);
    return 1;
  }
  if (json === undefined) {
    io.stderr(`${program}: ${url.href} did not answer JSON; check that --url is a tensorwire server\n`);
    return 4;
  }
  if (values.format === "json") {
    io.stdout(`${text}\n`);
    return 0;
  }
  const body = json as unknown as InspectJson;
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

function parseJsonOrUndefined(text: string): unknown {
  try {
    return parseJsonText(text);
  } catch {
    return undefined;
  }
}

/** The reason fetch failed: undici's own message is "fetch failed", the system's is on `cause`. */
function causeOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" && !cause.message.includes(code)
      ? `${cause.message} (${code})`
      : cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}
