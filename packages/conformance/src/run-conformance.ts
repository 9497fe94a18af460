import type { Level, Mode, Requirements, Step } from "./case-schema.js";
import { checkOutcome } from "./check-outcome.js";
import {
  type Discovery,
  grpcDiscovery,
  type Protocol,
  restDiscovery,
  type ServerMetadata,
} from "./discovery.js";
import { globPattern } from "./glob-pattern.js";
import { checkGrpcAddress, createGrpcConnection, type GrpcConnection } from "./grpc-exchange.js";
import { httpExchange } from "./http-exchange.js";
import type { KnownFailing } from "./known-failing.js";
import { type ConformanceCase, loadSuites } from "./load-suites.js";

/** How {@link runConformance} runs; every key but `url` may be left out there. */
export interface ConformanceOptions {
  /** Base URL of the server's REST endpoints, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** The gRPC endpoint: `host:port` or a URL. Default: none, and gRPC cases are not run. */
  readonly grpcUrl: string | undefined;
  /** Suite names (folders under cases/) to run. Default: all. */
  readonly suites: readonly string[] | undefined;
  /** A glob over full case names; without `*`, a substring. Default: every case. */
  readonly only: string | undefined;
  /**
   * "spec" accepts every status the spec allows (400 or 404 for an unknown model); "strict"
   * requires what the major implementations agree on (404). Default "spec".
   */
  readonly mode: Mode;
  /** The server's known deviations (see `parseKnownFailing`). Default: none. */
  readonly knownFailing: KnownFailing | undefined;
  /** Where the case files are. Default: the committed `cases/`. */
  readonly casesDir: string | undefined;
  /** Models that must be served on every protocol the run tests. Default: none. */
  readonly requireModels: readonly string[];
  /** Suites every selected case of which must run (no skip for any reason). Default: none. */
  readonly requireSuites: readonly string[];
  /** How many cases outside the optional suites may be skipped. Default 0. */
  readonly maxSkipped: number;
  /** Called after each case, e.g. to draw progress. */
  readonly onResult: ((result: CaseResult, done: number, total: number) => void) | undefined;
}

/**
 * A case's outcome: `known-failure` failed as the known-failing file expects; `unexpected-pass` passed
 * although listed there.
 */
export type CaseStatus = "passed" | "failed" | "skipped" | "known-failure" | "unexpected-pass";

/**
 * Why a case was skipped: the server lacks a capability (an extension it does not list, a feature a
 * probe shows missing) or a model; the user did not give what the case needs (`--grpc`); or
 * discovery failed, which makes the run incomplete whatever `maxSkipped` says.
 */
export type SkipKind = "capability" | "model" | "not-requested" | "discovery";

/** One case's outcome in a {@link Report}. */
export interface CaseResult {
  /** The full case name, `<suite>/<case>`. */
  readonly name: string;
  /** The suite it belongs to. */
  readonly suite: string;
  /** How strong its requirement is. */
  readonly level: Level;
  /** What it checks. */
  readonly requirement: string;
  /** The spec section it checks, a URL. */
  readonly spec: string;
  /** Its outcome. */
  readonly status: CaseStatus;
  /** failed: the first difference; skipped: why; known-failure: the difference and the known reason. */
  readonly message?: string;
  /** Why it was skipped, when it was. */
  readonly skipKind?: SkipKind;
  /** Whether its suite is optional (its skips do not count against `maxSkipped`). */
  readonly optional: boolean;
  /** How long it ran, in milliseconds. */
  readonly durationMs: number;
}

/** Skipped cases grouped by reason, most frequent first. */
export interface SkipGroup {
  /** The skip reason, as the cases give it. */
  readonly reason: string;
  /** What kind of reason it is. */
  readonly kind: SkipKind;
  /** How many cases were skipped for it. */
  readonly count: number;
  /** How many of them count against `maxSkipped` (outside the optional suites). */
  readonly counted: number;
}

/**
 * The run's verdict, which is also the CLI's exit status: 0 every MUST case passed and the run was
 * complete; 1 a MUST case failed or a known failure passed; 3 the run was incomplete (see
 * `Report.problems`). 2 (usage) and 4 (server unreachable) come from the CLI, not from a report.
 */
export type ExitCode = 0 | 1 | 3;

/** What {@link runConformance} found: every case's result and the run's verdict. */
export interface Report {
  /** The REST base URL the run tested. */
  readonly url: string;
  /** The gRPC endpoint the run tested, when it had one. */
  readonly grpcUrl?: string;
  /** The mode the run judged responses in. */
  readonly mode: Mode;
  /** Server metadata read over REST. */
  readonly server?: ServerMetadata;
  /** Server metadata read over gRPC. */
  readonly grpcServer?: ServerMetadata;
  /** Sorted by name. */
  readonly results: readonly CaseResult[];
  /** The skipped cases, grouped by reason. */
  readonly skipped: readonly SkipGroup[];
  /**
   * Why the run cannot stand for the server, one line each: discovery failed, the server serves
   * none of the models, more skips than `maxSkipped`, a required model or suite missing.
   */
  readonly problems: readonly string[];
  /** The verdict. */
  readonly exitCode: ExitCode;
  /** exitCode is 0. */
  readonly ok: boolean;
}

function makeOptions(
  options: Partial<ConformanceOptions> & Pick<ConformanceOptions, "url">,
): ConformanceOptions {
  return {
    url: options.url,
    grpcUrl: options.grpcUrl,
    suites: options.suites,
    only: options.only,
    mode: options.mode ?? "spec",
    knownFailing: options.knownFailing,
    casesDir: options.casesDir,
    requireModels: options.requireModels ?? [],
    requireSuites: options.requireSuites ?? [],
    maxSkipped: options.maxSkipped ?? 0,
    onResult: options.onResult,
  };
}

/** Which protocols a case's steps use. */
function protocolsOf(c: ConformanceCase): Protocol[] {
  const out: Protocol[] = [];
  if (c.steps.some((s) => "http" in s.request)) {
    out.push("REST");
  }
  if (c.steps.some((s) => "grpc" in s.request)) {
    out.push("gRPC");
  }
  return out;
}

/**
 * Runs the conformance cases against a server. Each protocol is discovered through itself (REST
 * through GET /v2 and /v2/models/{name}, gRPC through ServerMetadata and ModelMetadata); cases
 * needing an extension, a model or a feature (probe) the server lacks are skipped with that reason.
 * Cases run one at a time in file order, since repository cases unload and reload models.
 * Rejects with `UnreachableError` when the server does not answer at all.
 *
 * @example
 * const report = await runConformance({ url: "http://127.0.0.1:8000", grpcUrl: "127.0.0.1:8001" });
 * process.stdout.write(formatReport(report, "table"));
 * process.exitCode = report.exitCode;
 */
export async function runConformance(
  partial: Partial<ConformanceOptions> & Pick<ConformanceOptions, "url">,
): Promise<Report> {
  const options = makeOptions(partial);
  const only = options.only === undefined ? undefined : onlyPattern(options.only);
  const loaded = loadSuites(options.casesDir);
  const unknownSuites = [...(options.suites ?? []), ...options.requireSuites].filter(
    (s) => !loaded.some((c) => c.suite === s),
  );
  if (unknownSuites.length > 0) {
    throw new Error(
      `no suite named ${unknownSuites.join(", ")}; the suites are ${[...new Set(loaded.map((c) => c.suite))].join(", ")}`,
    );
  }
  const cases = loaded.filter(
    (c) => (options.suites === undefined || options.suites.includes(c.suite)) && (only?.(c.fullName) ?? true),
  );
  const rest = restDiscovery(options.url);
  const restServer = await rest.serverMetadata();
  let grpc: GrpcConnection | undefined;
  if (options.grpcUrl !== undefined) {
    await checkGrpcAddress(options.grpcUrl);
    grpc = createGrpcConnection(options.grpcUrl);
  }
  try {
    const discoveries: Partial<Record<Protocol, Discovery>> = {
      REST: rest,
      ...(grpc === undefined ? {} : { gRPC: grpcDiscovery(grpc, options.grpcUrl as string) }),
    };
    const problems = await discover(cases, discoveries, options);
    const grpcServer = await discoveries.gRPC?.serverMetadata();
    const results: CaseResult[] = [];
    for (const c of cases) {
      const result = await runCase(c, options, discoveries, grpc);
      results.push(result);
      options.onResult?.(result, results.length, cases.length);
    }
    results.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const skipped = groupSkips(results);
    problems.push(...skipProblems(results, skipped, options));
    const failed = results.some(
      (r) => (r.status === "failed" && r.level === "MUST") || r.status === "unexpected-pass",
    );
    const exitCode: ExitCode = failed ? 1 : problems.length > 0 ? 3 : 0;
    return {
      url: options.url,
      ...(options.grpcUrl === undefined ? {} : { grpcUrl: options.grpcUrl }),
      mode: options.mode,
      ...(restServer.state === "present" ? { server: restServer.value } : {}),
      ...(grpcServer?.state === "present" ? { grpcServer: grpcServer.value } : {}),
      results,
      skipped,
      problems,
      exitCode,
      ok: exitCode === 0,
    };
  } finally {
    grpc?.close();
  }
}

function onlyPattern(only: string): (name: string) => boolean {
  if (!only.includes("*") && !only.includes("?")) {
    return (name) => name.includes(only);
  }
  const pattern = globPattern(only);
  return (name) => pattern.test(name);
}

/**
 * Asks each protocol for its server metadata and for every model the selected cases (and
 * `requireModels`) name, before any case runs. Returns the problems found: failed discovery, a
 * protocol on which the server serves none of the models, a required model missing.
 */
async function discover(
  cases: readonly ConformanceCase[],
  discoveries: Partial<Record<Protocol, Discovery>>,
  options: ConformanceOptions,
): Promise<string[]> {
  const problems: string[] = [];
  for (const [protocol, discovery] of Object.entries(discoveries) as [Protocol, Discovery][]) {
    const meta = await discovery.serverMetadata();
    if (meta.state !== "present") {
      problems.push(`discovery failed (${protocol}): ${meta.reason}`);
    }
    const needed = new Set<string>(options.requireModels);
    for (const c of cases) {
      if (protocolsOf(c).includes(protocol)) {
        for (const model of c.requirements.flatMap((r) => r.models ?? [])) {
          needed.add(model);
        }
      }
    }
    const found = new Map<string, Awaited<ReturnType<Discovery["model"]>>>();
    for (const model of [...needed].sort()) {
      found.set(model, await discovery.model(model));
    }
    const failed = [...found.values()].filter((f) => f.state === "failed");
    if (failed[0] !== undefined && failed[0].state === "failed") {
      problems.push(
        `discovery failed (${protocol}) for ${failed.length} of ${found.size} models: ${failed[0].reason}`,
      );
    } else if (found.size > 0 && ![...found.values()].some((f) => f.state === "present")) {
      problems.push(
        `the server serves none of the ${found.size} models the selected ${protocol} cases need (${[...found.keys()].slice(0, 3).join(", ")}${found.size > 3 ? ", …" : ""}); serve packages/conformance/models or tensorwire's default zoo`,
      );
    }
    for (const model of options.requireModels) {
      const f = found.get(model);
      if (f !== undefined && f.state !== "present") {
        problems.push(`required model '${model}' (${protocol}): ${f.reason}`);
      }
    }
  }
  return problems;
}

/** Groups skipped results by reason, most frequent first. */
function groupSkips(results: readonly CaseResult[]): SkipGroup[] {
  const groups = new Map<string, { reason: string; kind: SkipKind; count: number; counted: number }>();
  for (const r of results) {
    if (r.status !== "skipped") {
      continue;
    }
    const reason = r.message ?? "";
    const group = groups.get(reason) ?? { reason, kind: r.skipKind ?? "capability", count: 0, counted: 0 };
    group.count++;
    if (countsAgainstMax(r)) {
      group.counted++;
    }
    groups.set(reason, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
}

function countsAgainstMax(r: CaseResult): boolean {
  return r.status === "skipped" && !r.optional && (r.skipKind === "capability" || r.skipKind === "model");
}

function skipProblems(
  results: readonly CaseResult[],
  groups: readonly SkipGroup[],
  options: ConformanceOptions,
): string[] {
  const problems: string[] = [];
  const counted = results.filter(countsAgainstMax).length;
  if (counted > options.maxSkipped) {
    const reasons = groups
      .filter((g) => g.counted > 0)
      .map((g) => `${g.reason} (${g.counted})`)
      .join("; ");
    problems.push(
      `${counted} cases outside the optional suites were skipped, more than --max-skipped ${options.maxSkipped}: ${reasons}`,
    );
  }
  for (const suite of options.requireSuites) {
    const ofSuite = results.filter((r) => r.suite === suite);
    const notRun = ofSuite.filter((r) => r.status === "skipped");
    if (ofSuite.length === 0) {
      problems.push(`required suite '${suite}': no case selected`);
    } else if (notRun.length > 0) {
      problems.push(
        `required suite '${suite}': ${notRun.length} of ${ofSuite.length} cases skipped (${notRun[0]?.message ?? ""})`,
      );
    }
  }
  return problems;
}

async function runCase(
  c: ConformanceCase,
  options: ConformanceOptions,
  discoveries: Partial<Record<Protocol, Discovery>>,
  grpc: GrpcConnection | undefined,
): Promise<CaseResult> {
  const started = performance.now();
  const base = {
    name: c.fullName,
    suite: c.suite,
    level: c.level,
    requirement: c.requirement,
    spec: c.spec,
    optional: c.optional,
  };
  const finish = (status: CaseStatus, message?: string, skipKind?: SkipKind): CaseResult => ({
    ...base,
    status,
    ...(message === undefined ? {} : { message }),
    ...(skipKind === undefined ? {} : { skipKind }),
    durationMs: Math.round(performance.now() - started),
  });
  const unmet = await unmetRequirements(c, discoveries);
  if (unmet !== undefined) {
    return finish("skipped", unmet.reason, unmet.kind);
  }
  let difference: string | undefined;
  for (const [i, step] of c.steps.entries()) {
    try {
      difference = await runStep(step, options, grpc);
    } catch (err) {
      difference = `request failed: ${(err as Error).message}`;
    }
    if (difference !== undefined) {
      difference = c.steps.length > 1 ? `step ${i + 1}: ${difference}` : difference;
      break;
    }
  }
  const known = options.knownFailing?.reasonFor(c.fullName);
  if (known !== undefined) {
    return difference === undefined
      ? finish("unexpected-pass", `passed, but known-failing lists it (${known}); remove the entry`)
      : finish("known-failure", `${difference} [known: ${known}]`);
  }
  return difference === undefined ? finish("passed") : finish("failed", difference);
}

/** The first requirement of a case the server does not meet, checked on each protocol the case uses. */
async function unmetRequirements(
  c: ConformanceCase,
  discoveries: Partial<Record<Protocol, Discovery>>,
): Promise<{ reason: string; kind: SkipKind } | undefined> {
  for (const protocol of protocolsOf(c)) {
    const discovery = discoveries[protocol];
    if (discovery === undefined) {
      return { reason: "no gRPC address given (--grpc)", kind: "not-requested" };
    }
    const unmet = await unmetOn(discovery, c.requirements);
    if (unmet !== undefined) {
      return unmet;
    }
  }
  return undefined;
}

async function unmetOn(
  discovery: Discovery,
  requirements: readonly Requirements[],
): Promise<{ reason: string; kind: SkipKind } | undefined> {
  const over = discovery.protocol === "gRPC" ? " (gRPC)" : "";
  for (const r of requirements) {
    for (const extension of r.extensions ?? []) {
      const meta = await discovery.serverMetadata();
      if (meta.state !== "present") {
        return { reason: `discovery failed: ${meta.reason}`, kind: "discovery" };
      }
      if (!meta.value.extensions.includes(extension)) {
        return { reason: `the server does not list the '${extension}' extension${over}`, kind: "capability" };
      }
    }
    for (const model of r.models ?? []) {
      const found = await discovery.model(model);
      if (found.state === "absent") {
        return { reason: found.reason, kind: "model" };
      }
      if (found.state === "failed") {
        return { reason: `discovery failed: ${found.reason}`, kind: "discovery" };
      }
    }
    const probe = r.probe;
    if (probe !== undefined && "grpc" in probe.request === (discovery.protocol === "gRPC")) {
      if (!(await discovery.probe(probe))) {
        return { reason: probe.reason, kind: "capability" };
      }
    }
  }
  return undefined;
}

async function runStep(step: Step, options: ConformanceOptions, grpc: GrpcConnection | undefined) {
  const { outcome, sent } =
    "http" in step.request
      ? await httpExchange(options.url, step.request.http)
      : await (grpc as GrpcConnection).exchange(step.request.grpc);
  return checkOutcome(step.expect, outcome, sent, options.mode);
}
