import type { ProbeSpec, RequestSpec } from "./case-schema.js";
import type { GrpcConnection } from "./grpc-exchange.js";
import { httpExchange } from "./http-exchange.js";
import type { Outcome } from "./outcome.js";

/** The two ways the suite reaches a server; each is discovered through itself. */
export type Protocol = "REST" | "gRPC";

/** What GET /v2 or ServerMetadata answered. */
export interface ServerMetadata {
  /** The server's name. */
  readonly name: string;
  /** The server's version. */
  readonly version: string;
  /** The protocol extensions the server lists (e.g. `binary_tensor_data`). */
  readonly extensions: readonly string[];
}

/**
 * What discovery learnt of one thing: it is there, it is absent (the server said so the way the
 * protocol says it: a 4xx with an {"error"} body, NOT_FOUND), or discovery failed (any other
 * answer), which the run reports as a problem rather than a reason to skip quietly.
 */
export type Found<T> =
  | { readonly state: "present"; readonly value: T }
  | { readonly state: "absent"; readonly reason: string }
  | { readonly state: "failed"; readonly reason: string };

/** One protocol's view of the server: metadata, models and probes, each asked once per run. */
export interface Discovery {
  readonly protocol: Protocol;
  serverMetadata(): Promise<Found<ServerMetadata>>;
  model(name: string): Promise<Found<true>>;
  /** Whether the feature a probe stands for is there. */
  probe(spec: ProbeSpec): Promise<boolean>;
}

function memo<T>(compute: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isJsonResponse(outcome: Outcome): boolean {
  const media = outcome.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
  return media === "application/json" && outcome.json !== undefined;
}

function restAnswer(outcome: Outcome): string {
  const type = outcome.headers["content-type"];
  return `${outcome.status}${type === undefined ? "" : ` (${type.split(";")[0]})`} ${outcome.summary}`;
}

function readServerMetadata(json: unknown): ServerMetadata | undefined {
  if (!isObject(json) || typeof json.name !== "string" || typeof json.version !== "string") {
    return undefined;
  }
  const extensions = Array.isArray(json.extensions) ? json.extensions.map(String) : [];
  return { name: json.name, version: json.version, extensions };
}

function probePassed(spec: ProbeSpec, outcome: Outcome): boolean {
  const statuses = spec.status === undefined ? [] : Array.isArray(spec.status) ? spec.status : [spec.status];
  const codes = spec.code === undefined ? [] : Array.isArray(spec.code) ? spec.code : [spec.code];
  const statusOk =
    outcome.status !== undefined ? statuses.includes(outcome.status) : codes.includes(outcome.code as never);
  return statusOk && (spec.header === undefined || outcome.headers[spec.header.toLowerCase()] !== undefined);
}

/** REST discovery: GET /v2, GET /v2/models/{name}, probes sent over REST. */
export function restDiscovery(url: string): Discovery {
  const serverMetadata = memo(async (): Promise<Found<ServerMetadata>> => {
    const { outcome } = await httpExchange(url, { method: "GET", path: "/v2" });
    const meta =
      outcome.status === 200 && isJsonResponse(outcome) ? readServerMetadata(outcome.json) : undefined;
    return meta === undefined
      ? { state: "failed", reason: `GET /v2 answered ${restAnswer(outcome)}, not server metadata` }
      : { state: "present", value: meta };
  });
  const model = memo(async (name: string): Promise<Found<true>> => {
    const path = `/v2/models/${encodeURIComponent(name)}`;
    const { outcome } = await httpExchange(url, { method: "GET", path });
    if (outcome.status === 200 && isJsonResponse(outcome) && isObject(outcome.json)) {
      return outcome.json.name === name
        ? { state: "present", value: true }
        : {
            state: "failed",
            reason: `GET ${path} answered the metadata of ${JSON.stringify(outcome.json.name)}`,
          };
    }
    if (
      (outcome.status === 400 || outcome.status === 404) &&
      isJsonResponse(outcome) &&
      isObject(outcome.json) &&
      typeof outcome.json.error === "string"
    ) {
      return { state: "absent", reason: `the server has no model '${name}'` };
    }
    return { state: "failed", reason: `GET ${path} answered ${restAnswer(outcome)}` };
  });
  const probe = memo(async (key: string) => {
    const spec = JSON.parse(key) as ProbeSpec;
    const { outcome } = await httpExchange(
      url,
      (spec.request as Extract<RequestSpec, { http: unknown }>).http,
    );
    return probePassed(spec, outcome);
  });
  return {
    protocol: "REST",
    serverMetadata: () => serverMetadata(""),
    model,
    probe: (spec) => probe(JSON.stringify(spec)),
  };
}

/** gRPC discovery: ServerMetadata, ModelMetadata and probes sent over gRPC. */
export function grpcDiscovery(grpc: GrpcConnection, address: string): Discovery {
  const serverMetadata = memo(async (): Promise<Found<ServerMetadata>> => {
    const { outcome } = await grpc.exchange({ method: "ServerMetadata" });
    const meta = outcome.code === "OK" ? readServerMetadata(outcome.json) : undefined;
    return meta === undefined
      ? { state: "failed", reason: `ServerMetadata at ${address} answered ${outcome.summary}` }
      : { state: "present", value: meta };
  });
  const model = memo(async (name: string): Promise<Found<true>> => {
    const { outcome } = await grpc.exchange({ method: "ModelMetadata", message: { name } });
    if (outcome.code === "OK" && isObject(outcome.json)) {
      return outcome.json.name === name
        ? { state: "present", value: true }
        : {
            state: "failed",
            reason: `ModelMetadata(${name}) at ${address} answered the metadata of ${JSON.stringify(outcome.json.name)}`,
          };
    }
    if (outcome.code === "NOT_FOUND" || outcome.code === "INVALID_ARGUMENT") {
      return { state: "absent", reason: `the server has no model '${name}' (gRPC)` };
    }
    return { state: "failed", reason: `ModelMetadata(${name}) at ${address} answered ${outcome.summary}` };
  });
  const probe = memo(async (key: string) => {
    const spec = JSON.parse(key) as ProbeSpec;
    const { outcome } = await grpc.exchange((spec.request as Extract<RequestSpec, { grpc: unknown }>).grpc);
    return probePassed(spec, outcome);
  });
  return {
    protocol: "gRPC",
    serverMetadata: () => serverMetadata(""),
    model,
    probe: (spec) => probe(JSON.stringify(spec)),
  };
}
