import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Mode } from "./case-schema.js";
import { formatReport, type ReportFormat, reportFormats } from "./format-report.js";
import { type KnownFailing, parseKnownFailing } from "./known-failing.js";
import { type CaseResult, runConformance } from "./run-conformance.js";

const usage = `Usage: tensorwire-conformance --url http://host:port [options]

Runs the Open Inference Protocol conformance suite against a server.

Options:
  --url URL               REST base URL of the server (required)
  --grpc HOST:PORT        gRPC address; without it gRPC cases are skipped
  --suite NAME            run only this suite (repeatable), e.g. oip-rest-core
  --only PATTERN          run only cases whose name matches (glob, or substring without *)
  --mode spec|strict      spec: accept every status the spec allows (default); strict: require 404 etc.
  --report table|json|junit  report format on stdout (default table)
  --output FILE           write the report to FILE instead of stdout
  --known-failing FILE    globs of cases this server is known to fail, each with a # reason
  --cases DIR             case files (default: the committed suite)
  -h, --help              this text

Exit status: 0 when every MUST case passed and no known failure passed unexpectedly, 1 otherwise,
2 for a usage error.
`;

/**
 * The `tensorwire-conformance` command; also what `tensorwire conformance ...` calls with the
 * arguments after `conformance`. Returns the exit status.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const format = (values.report ?? "table") as ReportFormat;
  const mode = (values.mode ?? "spec") as Mode;
  const problem =
    values.url === undefined
      ? "--url is required"
      : !reportFormats.includes(format)
        ? `--report must be one of ${reportFormats.join(", ")}`
        : mode !== "spec" && mode !== "strict"
          ? "--mode must be spec or strict"
          : undefined;
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n\n${usage}`);
    return 2;
  }
  let knownFailing: KnownFailing | undefined;
  if (values["known-failing"] !== undefined) {
    const file = values["known-failing"];
    knownFailing = parseKnownFailing(readFileSync(file, "utf8"), file);
  }
  const progress = process.stderr.isTTY ? drawProgress : undefined;
  const report = await runConformance({
    url: values.url as string,
    grpcUrl: values.grpc,
    suites: values.suite,
    only: values.only,
    mode,
    knownFailing,
    casesDir: values.cases,
    onResult: progress,
  });
  if (progress !== undefined) {
    process.stderr.write("\r\x1b[K");
  }
  const text = formatReport(report, format);
  if (values.output === undefined) {
    process.stdout.write(text);
  } else {
    writeFileSync(values.output, text);
  }
  return report.ok ? 0 : 1;
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
      cases: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

let failures = 0;

function drawProgress(result: CaseResult, done: number, total: number): void {
  if (result.status === "failed" || result.status === "unexpected-pass") {
    failures++;
  }
  const width = process.stderr.columns ?? 80;
  const line = `[${done}/${total}] ${failures} failed  ${result.name}`;
  process.stderr.write(`\r\x1b[K${line.slice(0, width - 1)}`);
}
