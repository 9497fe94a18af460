import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Mode } from "./case-schema.js";
import { formatReport, type ReportFormat, reportFormats, verdictLine } from "./format-report.js";
import { type KnownFailing, parseKnownFailing } from "./known-failing.js";
import { type CaseResult, runConformance } from "./run-conformance.js";
import { UnreachableError } from "./unreachable-error.js";

const program = "tensorwire conformance";

export const usage = `Usage: ${program} --url URL [--grpc HOST:PORT] [--suite NAME]... [--only PATTERN]
         [--mode spec|strict] [--known-failing FILE] [--require-models M[,M...]]
         [--require-suites S[,S...]] [--max-skipped N] [--report table|json|junit]
         [--output FILE] [--cases DIR]

Runs the Open Inference Protocol conformance suite against a server. The same command is
installed as tensorwire-conformance.

Options:
  --url URL               REST base URL of the server (required), e.g. http://127.0.0.1:8000
  --grpc HOST:PORT        gRPC address (or http(s):// URL); without it gRPC cases are not run
  --suite NAME            run only this suite (repeatable), e.g. oip-rest-core
  --only PATTERN          run only cases whose name matches (glob, or substring without *)
  --mode spec|strict      spec: accept every status the spec allows (default);
                          strict: also require what the major servers agree on (404, 405)
  --known-failing FILE    globs of cases this server is known to fail, each with a # reason
  --require-models LIST   models that must be served on every protocol tested (repeatable)
  --require-suites LIST   suites whose every selected case must run, none skipped (repeatable)
  --max-skipped N         cases outside the optional suites that may be skipped (default 0)
  --report FORMAT         table, json or junit (default table)
  --output FILE           write the report to FILE instead of stdout
  --cases DIR             case files (default: the committed suite)
  -h, --help              this text

Exit status:
  0  every MUST case passed and the run was complete
  1  a MUST case failed, or a case listed as known-failing passed
  2  the run could not start: a usage error, an unreadable file, an invalid case file
  3  the run was incomplete: discovery failed, the server serves none of the models, more skips
     than --max-skipped, or a --require-models / --require-suites requirement not met
  4  the server did not answer: unreachable --url, or --grpc not an HTTP/2 gRPC port
`;

class UsageError extends Error {}

function list(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/**
 * The `tensorwire conformance` command (also the `tensorwire-conformance` bin): parses `argv` (the
 * arguments after `conformance`), runs the suite, writes the report, and returns the exit status
 * (see `usage`). Errors are one line on stderr, never a stack trace.
 *
 * @example
 * process.exitCode = await main(["--url", "http://127.0.0.1:8000", "--grpc", "127.0.0.1:8001"]);
 */
export async function main(argv: readonly string[]): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    return fail(2, `${(err as Error).message}; see ${program} --help`);
  }
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  let format: ReportFormat;
  let mode: Mode;
  let maxSkipped: number;
  let knownFailing: KnownFailing | undefined;
  try {
    ({ format, mode, maxSkipped } = checkValues(values));
    if (values["known-failing"] !== undefined) {
      const file = values["known-failing"];
      knownFailing = parseKnownFailing(readText(file, "--known-failing"), file);
    }
  } catch (err) {
    return fail(2, `${(err as Error).message}; see ${program} --help`);
  }
  const progress = process.stderr.isTTY ? drawProgress() : undefined;
  let report: Awaited<ReturnType<typeof runConformance>>;
  try {
    report = await runConformance({
      url: values.url as string,
      grpcUrl: values.grpc,
      suites: values.suite,
      only: values.only,
      mode,
      knownFailing,
      casesDir: values.cases,
      requireModels: list(values["require-models"]),
      requireSuites: list(values["require-suites"]),
      maxSkipped,
      onResult: progress,
    });
  } catch (err) {
    if (progress !== undefined) {
      process.stderr.write("\r\x1b[K");
    }
    if (err instanceof UnreachableError) {
      const hint =
        values.grpc !== undefined && err.message.startsWith("gRPC")
          ? "check that --grpc is the server's gRPC (HTTP/2) port"
          : "check --url and that the server is running";
      return fail(4, `cannot reach the server: ${err.message}; ${hint}`);
    }
    return fail(2, (err as Error).message);
  }
  if (progress !== undefined) {
    process.stderr.write("\r\x1b[K");
  }
  const text = formatReport(report, format);
  if (values.output === undefined) {
    process.stdout.write(text);
  } else {
    try {
      writeFileSync(values.output, text);
    } catch (err) {
      return fail(
        2,
        `--output ${values.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  if (report.exitCode !== 0 && (values.output !== undefined || format !== "table")) {
    process.stderr.write(`${program}: ${verdictLine(report)}\n`);
  }
  return report.exitCode;
}

function fail(status: number, message: string): number {
  process.stderr.write(`${program}: ${message.split("\n")[0]}\n`);
  return status;
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
}

function checkValues(values: ReturnType<typeof parse>["values"]) {
  if (values.url === undefined) {
    throw new UsageError("--url is required");
  }
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new UsageError(`--url ${values.url}: not a URL; give e.g. http://127.0.0.1:8000`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url ${values.url}: expected an http:// or https:// URL`);
  }
  const format = (values.report ?? "table") as ReportFormat;
  if (!reportFormats.includes(format)) {
    throw new UsageError(`--report must be one of ${reportFormats.join(", ")}`);
  }
  const mode = (values.mode ?? "spec") as Mode;
  if (mode !== "spec" && mode !== "strict") {
    throw new UsageError("--mode must be spec or strict");
  }
  const maxSkipped = values["max-skipped"] === undefined ? 0 : Number(values["max-skipped"]);
  if (!Number.isSafeInteger(maxSkipped) || maxSkipped < 0) {
    throw new UsageError(`--max-skipped must be a whole number, got ${values["max-skipped"]}`);
  }
  return { format, mode, maxSkipped };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: "string" },
      grpc: { type: "string" },
      suite: { type: "string", multiple: true },
      only: { type: "string" },
      mode: { type: "string" },
      report: { type: "string" },
      output: { type: "string" },
      "known-failing": { type: "string" },
      "require-models": { type: "string", multiple: true },
      "require-suites": { type: "string", multiple: true },
      "max-skipped": { type: "string" },
      cases: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function drawProgress(): (result: CaseResult, done: number, total: number) => void {
  let failures = 0;
  return (result, done, total) => {
    if (result.status === "failed" || result.status === "unexpected-pass") {
      failures++;
    }
    const width = process.stderr.columns ?? 80;
    const line = `[${done}/${total}] ${failures} failed  ${result.name}`;
    process.stderr.write(`\r\x1b[K${line.slice(0, width - 1)}`);
  };
}
