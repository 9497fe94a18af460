import type { Level, Mode, ProbeSpec, Requirements, Step } from "./case-schema.js";
import { checkOutcome } from "./check-outcome.js";
import { globPattern } from "./glob-pattern.js";
import { createGrpcConnection, type GrpcConnection } from "./grpc-exchange.js";
import { httpExchange } from "./http-exchange.js";
import type { KnownFailing } from "./known-failing.js";
import { type ConformanceCase, loadSuites } from "./load-suites.js";

export interface ConformanceOptions {
  /** Base URL of the server's REST endpoints, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** The gRPC endpoint: `host:port` or a URL. Default: none, and gRPC cases are skipped. */
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
  /** Called after each case, e.g. to draw progress. */
  readonly onResult: ((result: CaseResult, done: number, total: number) => void) | undefined;
}

export type CaseStatus = "passed" | "failed" | "skipped" | "known-failure" | "unexpected-pass";

export interface CaseResult {
  readonly name: string;
  readonly suite: string;
  readonly level: Level;
  readonly requirement: string;
  readonly spec: string;
  readonly status: CaseStatus;
  /** failed: the first difference; skipped: why; known-failure: the difference and the known reason. */
  readonly message?: string;
  readonly durationMs: number;
}

export interface Report {
  readonly url: string;
  readonly grpcUrl?: string;
  readonly mode: Mode;
  readonly server?: {
    readonly name: string;
    readonly version: string;
    readonly extensions: readonly string[];
  };
  /** Sorted by name. */
  readonly results: readonly CaseResult[];
  /** False when a MUST case failed or a known failure passed. */
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
    onResult: options.onResult,
  };
}

/**
 * Runs the conformance cases against a server. Server and model metadata are read first; cases
 * needing an extension, a model or a feature (probe) the server lacks are skipped with that reason.
 * Cases run one at a time in file order, since repository cases unload and reload models.
 */
export async function runConformance(
  partial: Partial<ConformanceOptions> & Pick<ConformanceOptions, "url">,
): Promise<Report> {
  const options = makeOptions(partial);
  const only = options.only === undefined ? undefined : onlyPattern(options.only);
  const cases = loadSuites(options.casesDir).filter(
    (c) => (options.suites === undefined || options.suites.includes(c.suite)) && (only?.(c.fullName) ?? true),
  );
  const unknownSuites = (options.suites ?? []).filter((s) => !cases.some((c) => c.suite === s));
  if (unknownSuites.length > 0) {
    throw new Error(`no cases in suite(s) ${unknownSuites.join(", ")}`);
  }
  const grpc = options.grpcUrl === undefined ? undefined : createGrpcConnection(options.grpcUrl);
  const discovery = createDiscovery(options.url);
  const results: CaseResult[] = [];
  try {
    const server = await discovery.server();
    for (const c of cases) {
      const result = await runCase(c, options, discovery, grpc);
      results.push(result);
      options.onResult?.(result, results.length, cases.length);
    }
    results.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const ok = !results.some(
      (r) => (r.status === "failed" && r.level === "MUST") || r.status === "unexpected-pass",
    );
    return {
      url: options.url,
      ...(options.grpcUrl === undefined ? {} : { grpcUrl: options.grpcUrl }),
      mode: options.mode,
      ...(server === undefined ? {} : { server }),
      results,
      ok,
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

async function runCase(
  c: ConformanceCase,
  options: ConformanceOptions,
  discovery: Discovery,
  grpc: GrpcConnection | undefined,
): Promise<CaseResult> {
  const started = performance.now();
  const base = { name: c.fullName, suite: c.suite, level: c.level, requirement: c.requirement, spec: c.spec };
  const finish = (status: CaseStatus, message?: string): CaseResult => ({
    ...base,
    status,
    ...(message === undefined ? {} : { message }),
    durationMs: Math.round(performance.now() - started),
  });
  const missing =
    (c.steps.some((s) => "grpc" in s.request) && grpc === undefined
      ? "no gRPC address given (--grpc)"
      : undefined) ?? (await discovery.unmet(c.requirements));
  if (missing !== undefined) {
    return finish("skipped", missing);
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

async function runStep(step: Step, options: ConformanceOptions, grpc: GrpcConnection | undefined) {
  const { outcome, sent } =
    "http" in step.request
      ? await httpExchange(options.url, step.request.http)
      : await (grpc as GrpcConnection).exchange(step.request.grpc);
  return checkOutcome(step.expect, outcome, sent, options.mode);
}

interface Discovery {
  server(): Promise<Report["server"]>;
  /** Why the requirements are not met, or undefined when they are. */
  unmet(requirements: readonly Requirements[]): Promise<string | undefined>;
}

/** Server metadata, model presence and probe results, each asked once per run. */
function createDiscovery(url: string): Discovery {
  let server: Promise<Report["server"]> | undefined;
  const models = new Map<string, Promise<boolean>>();
  const probes = new Map<string, Promise<boolean>>();

  const readServer = () => {
    server ??= httpExchange(url, { method: "GET", path: "/v2" }).then(({ outcome }) => {
      const json = outcome.json as { name?: unknown; version?: unknown; extensions?: unknown } | undefined;
      if (outcome.status !== 200 || json === undefined) {
        return undefined;
      }
      return {
        name: String(json.name ?? ""),
        version: String(json.version ?? ""),
        extensions: Array.isArray(json.extensions) ? json.extensions.map(String) : [],
      };
    });
    return server;
  };
  const hasModel = (name: string) => {
    let known = models.get(name);
    if (known === undefined) {
      known = httpExchange(url, { method: "GET", path: `/v2/models/${encodeURIComponent(name)}` }).then(
        ({ outcome }) => outcome.status === 200,
      );
      models.set(name, known);
    }
    return known;
  };
  const probe = (spec: ProbeSpec) => {
    const key = JSON.stringify(spec);
    let passed = probes.get(key);
    if (passed === undefined) {
      passed = httpExchange(url, spec.request.http).then(
        ({ outcome }) =>
          (Array.isArray(spec.status) ? spec.status : [spec.status]).includes(outcome.status as number) &&
          (spec.header === undefined || outcome.headers[spec.header.toLowerCase()] !== undefined),
        () => false,
      );
      probes.set(key, passed);
    }
    return passed;
  };

  return {
    server: readServer,
    async unmet(requirements) {
      for (const r of requirements) {
        for (const extension of r.extensions ?? []) {
          const meta = await readServer();
          if (!meta?.extensions.includes(extension)) {
            return `the server does not list the '${extension}' extension`;
          }
        }
        for (const model of r.models ?? []) {
          if (!(await hasModel(model))) {
            return `the server has no model '${model}'`;
          }
        }
        if (r.probe !== undefined && !(await probe(r.probe))) {
          return r.probe.reason;
        }
      }
      return undefined;
    },
  };
}
