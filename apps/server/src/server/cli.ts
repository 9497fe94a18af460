import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { extname } from "node:path";
import { parseArgs } from "node:util";
import { defaultMaxConfigSize } from "../core/yaml-file.js";
import { corsOriginProblem } from "../http/cors.js";
import {
  type StreamInferFraming,
  streamInferFramings,
  type V1Dialect,
  v1Dialects,
} from "../protocols/index.js";
import { defaultMaxInputSize } from "../protocols/oip-rest/index.js";
import type { ControlMode } from "../registry/model-registry.js";
import { checkModelName } from "../repository/model-name.js";
import { type ZooGroup, zooGroups } from "./default-zoo.js";
import { connectionDefaults } from "./listen.js";
import { pipelineInspectHelp, runPipelineInspect } from "./run-pipeline-inspect.js";
import { type RunningServer, type StartServerOptions, startServer } from "./start-server.js";

/**
 * `tensorwire serve`: the server as a command. Every flag can also come from a `TENSORWIRE_*`
 * environment variable (`--model-repository` from `TENSORWIRE_MODEL_REPOSITORY`, see
 * `flagVariables`) and from `--config <file>` (YAML or JSON, the flags' names as keys, e.g.
 * `model-repository: ./models`). Command-line flags win over variables, variables over the file.
 */

const controlModes = ["none", "explicit", "poll"] as const;

/** The flags, in the order `--help` lists them. */
const flags = {
  port: {
    type: "string",
    help: "TCP port for every protocol (REST, gRPC, Connect, gRPC-Web); 0 picks a free one. Default 8080.",
  },
  host: {
    type: "string",
    help: 'Address to bind. Default "0.0.0.0" (all IPv4 interfaces); use "::" for IPv6.',
  },
  "grpc-port": {
    type: "string",
    help: "A second TCP port with the same protocols as --port, for setups that want gRPC on a port of its own (KServe, Triton: 9000); 0 picks a free one. Default: none.",
  },
  "model-repository": {
    type: "string",
    help: "Directory of models (<name>/config.yaml, <name>/<version>/model.onnx). Without it the built-in models are served (iris, tfsimple, identity_*, fraud, echo, constant, and the models of Triton's, KServe's, Wallaroo's and Hopsworks' examples: see --zoo).",
  },
  "model-name": {
    type: "string",
    help: "The name of the model whose files sit at the repository's root (KServe's layout: <repository>/model.onnx, optional config.yaml beside it). KServe passes the InferenceService's name.",
  },
  zoo: {
    type: "string",
    help: `Without --model-repository: the groups of built-in models to serve, comma-separated: ${zooGroups.join(", ")} or all (default). Every group serves iris, tfsimple, echo, constant and the tfsimples pipeline; fewer groups start faster.`,
  },
  "model-control-mode": {
    type: "string",
    help: "none: load every model at start, no load/unload API (default). explicit: load only --load-model models; the repository API loads and unloads. poll: like none, and rescan the repository every --repository-poll-secs.",
  },
  "load-model": {
    type: "string",
    multiple: true,
    help: 'explicit mode: a model to load at start; repeat for more, "*" for all.',
  },
  "repository-poll-secs": { type: "string", help: "poll mode: seconds between repository scans. Default 5." },
  "allow-external-paths": {
    type: "boolean",
    help: "Let model configs and symlinks point at files outside the repository. Default off.",
  },
  "module-root": {
    type: "string",
    multiple: true,
    help: "A directory whose modules 'runtime: module' models may import (an import runs the module's code); repeat for more. Default: none.",
  },
  "max-config-size": {
    type: "string",
    help: `Largest model config file (config.yaml/.yml/.json) and --pipelines file in bytes; a larger one is refused before it is read. Default ${defaultMaxConfigSize} (1 MiB).`,
  },
  "http-max-input-size": {
    type: "string",
    help: `Largest REST request body in bytes (after decompression); larger ones get 413. Default ${defaultMaxInputSize} (64 MiB).`,
  },
  "grpc-max-message-size": {
    type: "string",
    help: `Largest gRPC, gRPC-Web or Connect request message in bytes (declared, and after decompression); larger ones get RESOURCE_EXHAUSTED before they are read. Default ${defaultMaxInputSize} (64 MiB).`,
  },
  "tls-cert": {
    type: "string",
    help: "PEM certificate chain; with --tls-key serves HTTPS (ALPN h2 and http/1.1).",
  },
  "tls-key": { type: "string", help: "PEM private key for --tls-cert." },
  "auth-token": {
    type: "string",
    help: "Require 'Authorization: Bearer <token>' on every REST path and RPC (health probes stay public).",
  },
  "api-key": {
    type: "string",
    help: "Require 'Authorization: ApiKey <key>' or 'X-API-Key: <key>'; with --auth-token either is accepted.",
  },
  "protect-health": {
    type: "boolean",
    help: "With --auth-token or --api-key, health probes need credentials too. Default off: OIP live/ready, KServe GET /, Seldon /health/*, gRPC ServerLive/ServerReady and grpc.health.v1.Health stay public.",
  },
  "metrics-public": {
    type: "boolean",
    help: "With --auth-token or --api-key, GET /metrics answers without credentials, beside the public health probes. Default off: the scrape needs credentials.",
  },
  "cors-origin": {
    type: "string",
    multiple: true,
    help: 'Let pages of this origin call the server from a browser (CORS), e.g. https://app.example.com; repeat for more, "*" for any page (development; no credentials). Default: none.',
  },
  "seldon-v1-model": {
    type: "string",
    help: "The model Seldon v1 paths reach when the request names none. Default: the only model, else iris.",
  },
  "v1-dialect": {
    type: "string",
    help: "Who answers GET /v1/models/{m} and :predict: auto (by request shape, default), kserve or tfserving.",
  },
  "server-name": {
    type: "string",
    help: 'The name server metadata reports (REST GET /v2, gRPC ServerMetadata). Default "tensorwire"; "triton" for clients that check it, as Triton\'s health examples do.',
  },
  "grpc-raw-output": {
    type: "boolean",
    help: "Answer every gRPC inference with raw_output_contents, as Triton does. Default off: raw only to requests sent raw (a model config's grpcRawOutput overrides either way).",
  },
  "grpc-stream-framing": {
    type: "string",
    help: "ModelStreamInfer's response frames: triton (default, ModelStreamInferResponse, what tritonclient reads) or seldon (bare ModelInferResponse, as Seldon Core 2's and MLServer's proto declare).",
  },
  "http2-max-concurrent-streams": {
    type: "string",
    help: `HTTP/2 streams a connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); more are refused with REFUSED_STREAM. Default ${connectionDefaults.maxConcurrentStreams}.`,
  },
  "max-header-size": {
    type: "string",
    help: `Largest request header section in bytes (HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE, HTTP/1.1 431 past it). Default ${connectionDefaults.maxHeaderSize}.`,
  },
  "idle-timeout-secs": {
    type: "string",
    help: `Close an HTTP/2 connection without open streams, or an HTTP/1.1 keep-alive connection between requests, after this many seconds without traffic. Default ${connectionDefaults.idleTimeoutMs / 1000}.`,
  },
  "handshake-timeout-secs": {
    type: "string",
    help: `Close a connection that has not completed its TLS handshake, or HTTP/2 preface and SETTINGS, within this many seconds. Default ${connectionDefaults.handshakeTimeoutMs / 1000}.`,
  },
  "headers-timeout-secs": {
    type: "string",
    help: `HTTP/1.1: seconds a request's headers may take to arrive (408 after). Default ${connectionDefaults.headersTimeoutMs / 1000}.`,
  },
  "request-timeout-secs": {
    type: "string",
    help: `HTTP/1.1: seconds a whole request, body included, may take to arrive (408 after); 0 for no limit. Default ${connectionDefaults.requestTimeoutMs / 1000}.`,
  },
  "drain-timeout-secs": {
    type: "string",
    help: "On SIGTERM/SIGINT: readiness turns false and new requests are refused at once; seconds in-flight requests may take before connections are cut. Default 10.",
  },
  "inference-workers": {
    type: "string",
    help: "Worker threads running ONNX models off the event loop; 0 (default) runs them in-thread, fastest for small models.",
  },
  "log-level": {
    type: "string",
    help: "Structured (pino JSON) log level on stderr: fatal, error, warn, info (default), debug, trace, silent.",
  },
  pipelines: {
    type: "string",
    multiple: true,
    help: "Seldon Pipeline YAML file or folder; repeat for more. Served instead of the default tfsimples pipeline.",
  },
  "kafka-brokers": {
    type: "string",
    help: "Comma-separated host:port of Kafka brokers: serve seldon.<namespace>.<model|pipeline>.<name>.inputs → .outputs.",
  },
  "kafka-namespace": { type: "string", help: 'The <namespace> of the Kafka topic names. Default "default".' },
  "inference-log-topic": {
    type: "string",
    help: "With --kafka-brokers: log every inference to this topic as the Avro record inferencelog.",
  },
  config: {
    type: "string",
    help: "YAML or JSON file with any of these flags as keys; command-line flags win.",
  },
  help: { type: "boolean", short: "h", help: "Show this help." },
} as const;

type FlagName = keyof typeof flags;

/** The commands `tensorwire --help` lists, one line each. */
const commands: readonly (readonly [string, string])[] = [
  ["serve", "Serve models over OIP REST, gRPC, Connect and gRPC-Web on one port."],
  ["pipeline inspect", "Show the step inputs and outputs of a pipeline's last requests."],
  ["conformance", "Run the conformance suite against any server; its flags: tensorwire conformance --help."],
  ["help [command]", "Show this list, or a command's help."],
];

/** Exit statuses, shared by every command. */
const exitStatuses = `Exit status:
  0  success
  1  the command failed: the server could not start, or answered with an error
  2  usage: an unknown command or flag, a bad value, a file that cannot be read
  3  tensorwire conformance: the run was incomplete (see tensorwire conformance --help)
  4  the server did not answer: nothing listens at the URL, or it is not the protocol asked for`;

/** The text of `tensorwire --help`: every command, one line each. */
export function commandsHelpText(): string {
  const width = Math.max(...commands.map(([name]) => name.length)) + 2;
  return [
    "Usage: tensorwire <command> [flags]",
    "",
    "Commands:",
    ...commands.map(([name, what]) => `  ${name.padEnd(width)}${what}`),
    "",
    "Run 'tensorwire <command> --help' for a command's flags; 'tensorwire --version' prints the version.",
    "",
    exitStatuses,
  ].join("\n");
}

/** The text of `tensorwire pipeline --help`. */
export const pipelineHelp = `Usage: tensorwire pipeline <subcommand> [flags]

Subcommands:
  inspect   Show the step inputs and outputs of a pipeline's last requests.

Run 'tensorwire pipeline inspect --help' for its flags.`;

/** The text of `tensorwire serve --help`. */
export function helpText(): string {
  const lines = [
    "Usage: tensorwire serve [flags]",
    "",
    "Serves Open Inference Protocol (KServe V2) REST, gRPC, Connect and gRPC-Web on one port,",
    "with Triton's binary data, repository and statistics extensions and Seldon's headers.",
    "",
    `Environment: every flag --foo-bar is also read from ${variablePrefix}FOO_BAR (repeatable flags comma-separated, booleans true/false/1/0); flags win over variables, variables over --config.`,
    "",
    "Flags:",
  ];
  for (const [name, flag] of Object.entries(flags)) {
    const arg = flag.type === "string" ? " <value>" : "";
    lines.push(`  --${name}${arg}`, `      ${flag.help}`);
  }
  lines.push("", exitStatuses);
  return lines.join("\n");
}

/**
 * The server options a command line (after `serve`) asks for, with the `TENSORWIRE_*` variables of
 * `env` and the config file merged in. `env` defaults to none: `main` passes `process.env`.
 */
export async function parseServeArgs(
  argv: readonly string[],
  env: Environment = {},
): Promise<Partial<StartServerOptions> | "help"> {
  const command = await parseServeCommand(argv, env);
  return command === "help" ? command : command.options;
}

/** What `tensorwire serve` was asked for, and where each setting came from. */
export interface ServeCommand {
  readonly options: Partial<StartServerOptions>;
  /** Flag → variable, for the flags set by a variable: errors name the variable instead. */
  readonly variables: ReadonlyMap<string, string>;
  /** One line each: variables that were ignored, and why. */
  readonly warnings: readonly string[];
}

/** `parseServeArgs` with the warnings to print and the flags that variables set. */
export async function parseServeCommand(
  argv: readonly string[],
  env: Environment,
): Promise<ServeCommand | "help"> {
  const { values } = parseArgs({ args: [...argv], options: flags, strict: true, allowPositionals: false });
  if (values.help === true) {
    return "help";
  }
  const given = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
  const fromEnv = flagsFromEnvironment(env);
  const variables = new Map(
    Object.keys(fromEnv.values)
      .filter((flag) => !(flag in given))
      .map((flag) => [flag, variableOf(flag)]),
  );
  try {
    const config = (given.config ?? fromEnv.values.config) as string | undefined;
    const merged: Record<string, unknown> = {
      ...(config === undefined ? {} : await readConfig(config)),
      ...fromEnv.values,
      ...given,
    };
    return { options: await optionsWithPipelines(merged), variables, warnings: fromEnv.warnings };
  } catch (err) {
    throw err instanceof UsageError ? new UsageError(nameVariables(err.message, variables)) : err;
  }
}

async function optionsWithPipelines(merged: Record<string, unknown>): Promise<Partial<StartServerOptions>> {
  const options = optionsFrom(merged);
  const pipelinePaths = merged.pipelines;
  if (pipelinePaths !== undefined) {
    const list = Array.isArray(pipelinePaths) ? pipelinePaths : [pipelinePaths];
    if (!list.every((p) => typeof p === "string")) {
      throw new UsageError("--pipelines: expected file or folder paths");
    }
    try {
      // With the YAML parser: imported only when pipelines are given.
      const { loadPipelines } = await import("../pipeline/load-pipelines.js");
      options.pipelines = await loadPipelines(list, options.maxConfigSize);
    } catch (err) {
      throw new UsageError(`--pipelines: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return options;
}

async function readConfig(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, "utf8");
  const parsed: unknown = extname(path) === ".json" ? JSON.parse(text) : (await import("yaml")).parse(text);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--config ${path}: expected a mapping of flag names to values`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(key in flags) || key === "config" || key === "help") {
      throw new UsageError(`--config ${path}: unknown key '${key}'`);
    }
  }
  return parsed as Record<string, unknown>;
}

// --- TENSORWIRE_* variables: derived from `flags`, so a flag added there has its variable.

/** The environment `tensorwire serve` reads its `TENSORWIRE_*` variables from. */
export type Environment = Readonly<Record<string, string | undefined>>;

const variablePrefix = "TENSORWIRE_";

/** Set by bin/tensorwire.js for the Node it re-runs itself with; no flag of its own. */
const reservedVariables = new Set([`${variablePrefix}REEXEC`]);

/**
 * Names Kubernetes gives the variables of a Service's links (`<SERVICE>_SERVICE_HOST`,
 * `<SERVICE>_PORT_8080_TCP`, ...) in every pod of its namespace, unless the pod spec sets
 * `enableServiceLinks: false`; a Service named `tensorwire*` makes them start with `TENSORWIRE_`.
 * https://github.com/kubernetes/kubernetes/blob/v1.34.0/pkg/kubelet/envvars/envvars.go
 */
const serviceLinkName = /_SERVICE_HOST$|_SERVICE_PORT(_\w+)?$|_PORT_\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?$/;
/** The value of `<SERVICE>_PORT` in those links, which would land on `--port` or `--grpc-port`. */
const serviceLinkPort = /^(tcp|udp|sctp):\/\//;

/** The variable of a flag: `--model-repository` is read from `TENSORWIRE_MODEL_REPOSITORY`. */
function variableOf(flag: string): string {
  return `${variablePrefix}${flag.toUpperCase().replaceAll("-", "_")}`;
}

/** Every `tensorwire serve` flag but `--help` with the variable it is also read from, in `--help`'s order. */
export function flagVariables(): readonly (readonly [flag: string, variable: string])[] {
  return Object.keys(flags)
    .filter((flag) => flag !== "help")
    .map((flag) => [flag, variableOf(flag)] as const);
}

/**
 * The flags' values from `TENSORWIRE_*` variables: strings as they are, repeatable flags
 * comma-separated, booleans true/false/1/0; an empty or malformed value is a usage error naming the
 * variable. Unknown `TENSORWIRE_*` variables are not an error (a typo must not stop a server that
 * others configure too) but a warning naming them; Kubernetes' service links are left alone.
 */
function flagsFromEnvironment(env: Environment): { values: Record<string, unknown>; warnings: string[] } {
  const flagOf = new Map(flagVariables().map(([flag, variable]) => [variable, flag as FlagName]));
  const values: Record<string, unknown> = {};
  const warnings: string[] = [];
  const unknown: string[] = [];
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(variablePrefix) || value === undefined || reservedVariables.has(variable)) {
      continue;
    }
    const flag = flagOf.get(variable);
    if (flag === undefined) {
      if (!serviceLinkName.test(variable) && !(variable.endsWith("_PORT") && serviceLinkPort.test(value))) {
        unknown.push(variable);
      }
      continue;
    }
    if (variable.endsWith("_PORT") && serviceLinkPort.test(value)) {
      warnings.push(
        `tensorwire: ignoring ${variable}=${value}, the link Kubernetes sets for a Service of that name; set ${variable} to a port number, or enableServiceLinks: false in the pod spec`,
      );
      continue;
    }
    values[flag] = flagValue(flag, variable, value);
  }
  if (unknown.length > 0) {
    warnings.push(
      `tensorwire: ignoring ${unknown.sort().join(", ")}: no 'tensorwire serve' flag reads ${unknown.length === 1 ? "it" : "them"} (see --help)`,
    );
  }
  return { values, warnings };
}

function flagValue(flag: FlagName, variable: string, value: string): string | boolean | string[] {
  if (value === "") {
    // As an empty flag value is: TENSORWIRE_AUTH_TOKEN=$UNSET must not start a server without auth.
    throw new UsageError(`${variable} is set but empty; unset it or give it a value`);
  }
  const spec: { readonly type: string; readonly multiple?: boolean } = flags[flag];
  if (spec.type === "boolean") {
    if (/^(true|1)$/i.test(value)) return true;
    if (/^(false|0)$/i.test(value)) return false;
    throw new UsageError(`${variable}: expected true, false, 1 or 0, got '${value}'`);
  }
  if (spec.multiple === true) {
    const items = value.split(",").map((item) => item.trim());
    if (items.includes("")) {
      throw new UsageError(`${variable}: expected comma-separated values, got an empty one in '${value}'`);
    }
    return items;
  }
  return value;
}

/** A message about flags, with each flag set by a variable named by that variable instead. */
function nameVariables(message: string, variables: ReadonlyMap<string, string>): string {
  return message.replace(/--([a-z0-9-]+)/g, (whole, flag: string) => variables.get(flag) ?? whole);
}

function optionsFrom(v: Record<string, unknown>): {
  -readonly [K in keyof StartServerOptions]?: StartServerOptions[K];
} {
  const options: { -readonly [K in keyof StartServerOptions]?: StartServerOptions[K] } = {
    port: integer(v, "port", 0, 65535) ?? 8080,
    host: text(v, "host") ?? "0.0.0.0",
  };
  const grpcPort = integer(v, "grpc-port", 0, 65535);
  if (grpcPort !== undefined) {
    if (grpcPort !== 0 && grpcPort === options.port) {
      throw new UsageError(`--grpc-port: ${grpcPort} is --port already, which serves gRPC too; leave it out`);
    }
    options.grpcPort = grpcPort;
  }
  const repository = text(v, "model-repository");
  if (repository !== undefined) {
    options.repository = repository;
  }
  const modelName = text(v, "model-name");
  if (modelName !== undefined) {
    const checked = checkModelName(modelName);
    if (!checked.ok) {
      throw new UsageError(`--model-name: ${checked.error}`);
    }
    options.modelName = modelName;
  }
  const zoo = text(v, "zoo");
  if (zoo !== undefined) {
    const groups = zoo.split(",").map((g) => g.trim());
    if (groups.includes("all")) {
      options.zooGroups = zooGroups;
    } else {
      const unknown = groups.find((g) => !(zooGroups as readonly string[]).includes(g));
      if (unknown !== undefined) {
        throw new UsageError(`--zoo: expected groups among ${zooGroups.join(", ")} or all, got '${unknown}'`);
      }
      options.zooGroups = groups as ZooGroup[];
    }
  }
  const mode = text(v, "model-control-mode");
  if (mode !== undefined) {
    if (!(controlModes as readonly string[]).includes(mode)) {
      throw new UsageError(`--model-control-mode: expected one of ${controlModes.join(", ")}, got '${mode}'`);
    }
    options.controlMode = mode as ControlMode;
  }
  const load = v["load-model"];
  if (load !== undefined) {
    const list = Array.isArray(load) ? load : [load];
    if (!list.every((m) => typeof m === "string")) {
      throw new UsageError("--load-model: expected model names");
    }
    options.loadModels = list;
  }
  const pollSecs = number(v, "repository-poll-secs");
  if (pollSecs !== undefined) {
    if (!(pollSecs > 0)) {
      throw new UsageError(`--repository-poll-secs: expected a positive number, got ${pollSecs}`);
    }
    options.pollIntervalMs = Math.round(pollSecs * 1000);
  }
  const external = v["allow-external-paths"];
  if (external !== undefined) {
    if (typeof external !== "boolean") {
      throw new UsageError("--allow-external-paths: expected true or false");
    }
    options.allowExternalPaths = external;
  }
  const moduleRoots = v["module-root"];
  if (moduleRoots !== undefined) {
    const list = Array.isArray(moduleRoots) ? moduleRoots : [moduleRoots];
    if (!list.every((root) => typeof root === "string" && root !== "")) {
      throw new UsageError("--module-root: expected directory paths");
    }
    options.moduleRoots = list;
  }
  const maxConfig = integer(v, "max-config-size", 1, Number.MAX_SAFE_INTEGER);
  if (maxConfig !== undefined) {
    options.maxConfigSize = maxConfig;
  }
  const maxInput = integer(v, "http-max-input-size", 1, Number.MAX_SAFE_INTEGER);
  if (maxInput !== undefined) {
    options.maxInputSize = maxInput;
  }
  // A gRPC envelope declares its length in 4 bytes: no message can be longer than 2^32 - 1.
  const maxMessage = integer(v, "grpc-max-message-size", 1, 0xffff_ffff);
  if (maxMessage !== undefined) {
    options.grpcMaxMessageSize = maxMessage;
  }
  const cert = text(v, "tls-cert");
  const key = text(v, "tls-key");
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  if (cert !== undefined && key !== undefined) {
    // Read at start-up, below, so a missing file is a usage error rather than a crash later.
    options.tls = { cert, key };
  }
  const token = text(v, "auth-token");
  if (token !== undefined) {
    options.authToken = token;
  }
  const apiKey = text(v, "api-key");
  if (apiKey !== undefined) {
    options.apiKey = apiKey;
  }
  const protect = v["protect-health"];
  if (protect !== undefined) {
    if (typeof protect !== "boolean") {
      throw new UsageError("--protect-health: expected true or false");
    }
    options.publicHealth = !protect;
  }
  const metricsPublic = v["metrics-public"];
  if (metricsPublic !== undefined) {
    if (typeof metricsPublic !== "boolean") {
      throw new UsageError("--metrics-public: expected true or false");
    }
    options.metricsPublic = metricsPublic;
  }
  const corsOrigins = v["cors-origin"];
  if (corsOrigins !== undefined) {
    const list = Array.isArray(corsOrigins) ? corsOrigins : [corsOrigins];
    for (const origin of list) {
      const problem = typeof origin === "string" ? corsOriginProblem(origin) : "expected origins";
      if (problem !== undefined) {
        throw new UsageError(`--cors-origin: ${problem}`);
      }
    }
    if (list.includes("*") && list.length > 1) {
      throw new UsageError(`--cors-origin: "*" allows every origin; give it alone, got ${list.join(", ")}`);
    }
    options.corsOrigins = list as string[];
  }
  const seldonModel = text(v, "seldon-v1-model");
  if (seldonModel !== undefined) {
    options.seldonV1Model = seldonModel;
  }
  const v1Dialect = text(v, "v1-dialect");
  if (v1Dialect !== undefined) {
    if (!(v1Dialects as readonly string[]).includes(v1Dialect)) {
      throw new UsageError(`--v1-dialect: expected one of ${v1Dialects.join(", ")}, got '${v1Dialect}'`);
    }
    options.v1Dialect = v1Dialect as V1Dialect;
  }
  const serverName = text(v, "server-name");
  if (serverName !== undefined) {
    options.serverName = serverName;
  }
  const rawOutput = v["grpc-raw-output"];
  if (rawOutput !== undefined) {
    if (typeof rawOutput !== "boolean") {
      throw new UsageError("--grpc-raw-output: expected true or false");
    }
    options.grpcRawOutput = rawOutput;
  }
  const framing = text(v, "grpc-stream-framing");
  if (framing !== undefined) {
    if (!(streamInferFramings as readonly string[]).includes(framing)) {
      throw new UsageError(
        `--grpc-stream-framing: expected one of ${streamInferFramings.join(", ")}, got '${framing}'`,
      );
    }
    options.streamInferFraming = framing as StreamInferFraming;
  }
  const streams = integer(v, "http2-max-concurrent-streams", 1, 2 ** 31 - 1);
  if (streams !== undefined) {
    options.maxConcurrentStreams = streams;
  }
  const headerSize = integer(v, "max-header-size", 1024, 16 * 1024 * 1024);
  if (headerSize !== undefined) {
    options.maxHeaderSize = headerSize;
  }
  const idleMs = milliseconds(v, "idle-timeout-secs", false);
  if (idleMs !== undefined) {
    options.idleTimeoutMs = idleMs;
  }
  const handshakeMs = milliseconds(v, "handshake-timeout-secs", false);
  if (handshakeMs !== undefined) {
    options.handshakeTimeoutMs = handshakeMs;
  }
  const headersMs = milliseconds(v, "headers-timeout-secs", false);
  if (headersMs !== undefined) {
    options.headersTimeoutMs = headersMs;
  }
  const requestMs = milliseconds(v, "request-timeout-secs", true);
  if (requestMs !== undefined) {
    options.requestTimeoutMs = requestMs;
  }
  if (headersMs !== undefined && requestMs !== undefined && requestMs > 0 && headersMs > requestMs) {
    throw new UsageError(
      "--headers-timeout-secs: expected at most --request-timeout-secs, which includes it",
    );
  }
  const drainSecs = number(v, "drain-timeout-secs");
  if (drainSecs !== undefined) {
    if (!(drainSecs >= 0)) {
      throw new UsageError(`--drain-timeout-secs: expected a non-negative number, got ${drainSecs}`);
    }
    options.drainTimeoutMs = Math.round(drainSecs * 1000);
  }
  const workers = integer(v, "inference-workers", 0, 256);
  if (workers !== undefined) {
    options.inferenceWorkers = workers;
  }
  const brokers = text(v, "kafka-brokers")
    ?.split(",")
    .map((b) => b.trim());
  const namespace = text(v, "kafka-namespace");
  const logTopic = text(v, "inference-log-topic");
  if (brokers === undefined && (namespace !== undefined || logTopic !== undefined)) {
    throw new UsageError("--kafka-namespace and --inference-log-topic need --kafka-brokers");
  }
  if (brokers !== undefined) {
    options.kafka = { bootstrapBrokers: brokers, ...(namespace === undefined ? {} : { namespace }) };
    if (logTopic !== undefined) {
      options.inferenceLog = { bootstrapBrokers: brokers, topic: logTopic };
    }
  }
  const logLevel = text(v, "log-level");
  if (logLevel !== undefined) {
    if (!logLevels.includes(logLevel)) {
      throw new UsageError(`--log-level: expected one of ${logLevels.join(", ")}, got '${logLevel}'`);
    }
    options.logLevel = logLevel;
  }
  return options;
}

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function text(v: Record<string, unknown>, name: FlagName): string | undefined {
  const value = v[name];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "string" || value === "") {
    throw new UsageError(`--${name}: expected a non-empty string`);
  }
  return value;
}

function number(v: Record<string, unknown>, name: FlagName): number | undefined {
  const value = v[name];
  if (value === undefined) {
    return undefined;
  }
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n)) {
    throw new UsageError(`--${name}: expected a number, got '${String(value)}'`);
  }
  return n;
}

/** A timeout flag in seconds, as milliseconds; `zero` allows 0 (no limit). */
function milliseconds(v: Record<string, unknown>, name: FlagName, zero: boolean): number | undefined {
  const secs = number(v, name);
  if (secs !== undefined && !(zero ? secs >= 0 : secs > 0)) {
    throw new UsageError(`--${name}: expected a ${zero ? "non-negative" : "positive"} number, got ${secs}`);
  }
  return secs === undefined ? undefined : Math.round(secs * 1000);
}

function integer(v: Record<string, unknown>, name: FlagName, min: number, max: number): number | undefined {
  const n = number(v, name);
  if (n !== undefined && (!Number.isInteger(n) || n < min || n > max)) {
    throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got ${n}`);
  }
  return n;
}

/** A mistake on the command line: printed with a pointer to --help, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Starts the server a command line asks for; the TLS files named are read here. A missing model
 * repository, or a `--load-model` the repository does not have, is a `UsageError`.
 */
export async function serve(options: Partial<StartServerOptions>): Promise<RunningServer> {
  if (typeof options.repository === "string") {
    const isDirectory = await stat(options.repository).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDirectory) {
      throw new UsageError(`--model-repository ${options.repository}: no such directory`);
    }
  }
  if (options.tls !== undefined) {
    const { cert, key } = options.tls;
    const read = async (path: string | Buffer, flag: string) => {
      try {
        return await readFile(path);
      } catch (err) {
        throw new UsageError(`${flag} ${String(path)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    options = {
      ...options,
      tls: { cert: await read(cert, "--tls-cert"), key: await read(key, "--tls-key") },
    };
  }
  const server = await startServer(options);
  const missing = missingStartupModel(server, options.loadModels ?? []);
  if (missing !== undefined) {
    await server.close();
    throw missing;
  }
  return server;
}

/** A `--load-model` name that did not load: absent from the repository (usage) or failed (reason). */
function missingStartupModel(server: RunningServer, names: readonly string[]): Error | undefined {
  const index = server.dataPlane.repositoryIndex({ readyOnly: false });
  for (const name of names) {
    if (name === "*") {
      continue;
    }
    const entries = index.filter((e) => e.name === name);
    if (entries.length === 0) {
      const known = [...new Set(index.map((e) => e.name))].sort();
      const listed = known.length > 8 ? `${known.slice(0, 8).join(", ")}, …` : known.join(", ");
      return new UsageError(
        `--load-model ${name}: the model repository has no such model (it has ${listed || "none"})`,
      );
    }
    if (!entries.some((e) => e.state === "READY")) {
      return new Error(
        `--load-model ${name}: ${entries.find((e) => e.reason !== "")?.reason ?? "not ready"}`,
      );
    }
  }
  return undefined;
}

/**
 * The command-line entry point: `tensorwire <command> ...` for every command but `conformance`,
 * which the bin loads from its own package. Returns the exit status (see `commandsHelpText`); for
 * `serve`, once the server has stopped (SIGINT/SIGTERM: graceful; a second signal exits at once).
 * Errors are one line on stderr with the cause and what to do, never a stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    console.error(commandsHelpText());
    return 2;
  }
  if (command === "--help" || command === "-h") {
    console.log(commandsHelpText());
    return 0;
  }
  if (command === "--version" || command === "-v") {
    console.log(version());
    return 0;
  }
  if (command === "help") {
    return helpFor(rest);
  }
  if (command === "pipeline") {
    return pipeline(rest);
  }
  if (command !== "serve") {
    return usage(`unknown command '${command}'; run 'tensorwire --help' for the commands`);
  }
  let server: RunningServer;
  let variables: ReadonlyMap<string, string> = new Map();
  try {
    const command = await parseServeCommand(rest, process.env);
    if (command === "help") {
      console.log(helpText());
      return 0;
    }
    const { options } = command;
    variables = command.variables;
    for (const warning of command.warnings) {
      console.error(warning);
    }
    // A server run as a command logs requests, and its first RPC does not wait for the RPC side's
    // import; in-process (startServer) it defaults to errors only, and imports it at the first RPC.
    server = await serve({ logLevel: "info", preloadRpc: true, ...options });
    const host = options.host ?? "0.0.0.0";
    const scheme = options.tls === undefined ? "http" : "https";
    const wildcard =
      host === "0.0.0.0" || host === "::" ? ` (all interfaces, bound ${host}:${server.port})` : "";
    console.log(`tensorwire listening on ${server.url}${wildcard}`);
    console.log(`  REST:                      ${server.url}/v2`);
    console.log(
      `  gRPC, Connect, gRPC-Web:   ${server.address}${scheme === "http" ? " (plaintext)" : " (TLS)"}`,
    );
    if (server.grpcUrl !== server.url) {
      console.log(`  second port (--grpc-port): ${new URL(server.grpcUrl).host}, the same protocols`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && "code" in err)) {
      // parseArgs reports unknown or malformed flags as TypeErrors with an ERR_PARSE_ARGS_* code.
      const message = nameVariables(oneLine(err.message), variables);
      return usage(`${message}; run 'tensorwire serve --help' for the flags`);
    }
    console.error(`tensorwire: could not start: ${startFailure(err)}`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error(`tensorwire: ${signal} again, exiting now`);
        process.exit(130);
      }
      stopping = true;
      console.error(`tensorwire: ${signal}, draining in-flight requests`);
      server.close().then(
        () => resolve(0),
        (err: unknown) => {
          console.error("tensorwire: error while stopping:", err);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** `tensorwire help [command]`. */
function helpFor(args: readonly string[]): number {
  const [topic, sub] = args;
  if (topic === undefined) {
    console.log(commandsHelpText());
  } else if (topic === "serve") {
    console.log(helpText());
  } else if (topic === "pipeline" && sub === "inspect") {
    console.log(pipelineInspectHelp);
  } else if (topic === "pipeline") {
    console.log(pipelineHelp);
  } else {
    // `help conformance` never gets here: the bin runs `conformance --help` for it.
    return usage(`no help for '${args.join(" ")}'; run 'tensorwire --help' for the commands`);
  }
  return 0;
}

/** `tensorwire pipeline <subcommand>`. */
function pipeline(args: readonly string[]): Promise<number> | number {
  const [sub, ...rest] = args;
  if (sub === "--help" || sub === "-h") {
    console.log(pipelineHelp);
    return 0;
  }
  if (sub !== "inspect") {
    return usage(
      sub === undefined
        ? "pipeline: expected a subcommand; run 'tensorwire pipeline --help'"
        : `pipeline: unknown subcommand '${sub}'; run 'tensorwire pipeline --help'`,
    );
  }
  return runPipelineInspect(rest, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
}

function usage(message: string): number {
  console.error(`tensorwire: ${message}`);
  return 2;
}

/** The first line of a message: errors on the command line are one line each. */
function oneLine(message: string): string {
  return message.split("\n", 1)[0] as string;
}

/** Why the server could not start, and what to do about the causes a user can fix. */
function startFailure(err: unknown): string {
  const message = oneLine(err instanceof Error ? err.message : String(err));
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "EADDRINUSE") {
    return `${message}: another process uses the port; stop it or pick another with --port (0 picks a free one)`;
  }
  if (code === "EACCES" && (err as { syscall?: unknown }).syscall === "listen") {
    return `${message}: ports below 1024 need privileges; pick --port 1024 or above`;
  }
  if (code === "EADDRNOTAVAIL") {
    return `${message}: --host is not an address of this machine`;
  }
  return message;
}

/** This package's version, from its manifest (one level above src/ and dist/). */
function version(): string {
  const manifest = createRequire(import.meta.url)("../../package.json") as { version: string };
  return `tensorwire ${manifest.version}`;
}
