import type { OutgoingHttpHeaders } from "node:http";
import { errorStatus, type Parameters, parseJsonText, TensorwireError } from "@tensorwire/codec";
import {
  type BinaryBody,
  decodeBinaryRequest,
  encodeBinaryResponse,
  parametersFromJson,
} from "@tensorwire/codec/rest";
import { type Authorize, authChallenge } from "../../auth/authorize.js";
import type { DataPlane, Duration, ModelRef, ModelStatistics } from "../../core/data-plane.js";
import type { DialectDispatcher } from "../../dialects/index.js";
import { pipelineSuffix } from "../../repository/model-name.js";
import type { NodeHandlerFn, NodeServerRequest, NodeServerResponse } from "../node-types.js";
import {
  pipelineVersionFor,
  requestIdFrom,
  requestIdHeader,
  seldonModelHeader,
  targetModel,
} from "../seldon-headers.js";
import { prepareErrorResponse } from "./prepare-error-response.js";
import { readBody } from "./read-body.js";
import { echoedHeaders, header } from "./request-headers.js";

/**
 * OIP REST (plus Triton's binary data, repository and statistics extensions) over the data plane.
 *
 * Status decisions (errors are `{"error": "<message>"}` with the status of `errorStatus`):
 * - health and readiness answer 200 with KServe's JSON body (`{"live": true}`, `{"ready": true}`,
 *   `{"name", "ready": true}`) and 503 with an error when not live/ready; tritonclient and every
 *   OIP client only look at the status.
 * - unknown routes 404 `{"error": "Not Found"}`, a known route with another method 405 with
 *   `Allow`, a body over the limit 413, malformed JSON or framing 400. Load and unload answer 200
 *   with an empty body, as Triton and MLServer do.
 */

export interface RestHandlerOptions {
  /**
   * Largest request body accepted, in bytes, after decompression. Default 64 MiB, Triton's
   * `--http-max-input-size` default. Larger bodies get 413 without being buffered.
   */
  readonly maxInputSize: number;
}

/** What the server plugs into OIP REST. */
export interface RestExtensions {
  /** The credential check; health probes are flagged so it can let them through. */
  readonly authorize?: Authorize | undefined;
  /** Serves paths OIP does not know (the other wire dialects); false when none claims the path. */
  readonly dialects?: DialectDispatcher | undefined;
}

/** The value of `RestHandlerOptions.maxInputSize` unless set: Triton's default (1 << 26). */
export const defaultMaxInputSize = 64 * 1024 * 1024;

type Method = "GET" | "POST";

interface Call {
  readonly req: NodeServerRequest;
  readonly res: NodeServerResponse;
  /** Response headers so far: echoed `x-` headers, then route-specific ones. */
  readonly headers: OutgoingHttpHeaders;
}

interface Route {
  readonly method: Method;
  /** Writes the response or throws; the handler turns a throw into an error response. */
  readonly run: (call: Call) => Promise<void> | void;
}

export function createRestHandler(
  dataPlane: DataPlane,
  options: Partial<RestHandlerOptions> = {},
  extensions: RestExtensions = {},
): NodeHandlerFn {
  const maxInputSize = options.maxInputSize ?? defaultMaxInputSize;

  const healthLive: Route = {
    method: "GET",
    run: (call) => {
      if (!dataPlane.serverLive()) {
        throw new TensorwireError("unavailable", "the server is not live");
      }
      sendJson(call, 200, { live: true });
    },
  };
  const healthReady: Route = {
    method: "GET",
    run: (call) => {
      if (!dataPlane.serverReady()) {
        throw new TensorwireError("unavailable", "the server is not ready");
      }
      sendJson(call, 200, { ready: true });
    },
  };
  const serverMetadata: Route = {
    method: "GET",
    run: (call) => sendJson(call, 200, dataPlane.serverMetadata()),
  };

  function modelMetadata(ref: ModelRef): Route {
    return {
      method: "GET",
      run: (call) => {
        const m = dataPlane.modelMetadata(routed(call, ref));
        sendJson(call, 200, {
          name: m.name,
          versions: m.versions,
          platform: m.platform,
          inputs: m.inputs,
          outputs: m.outputs,
        });
      },
    };
  }

  function modelReady(ref: ModelRef): Route {
    return {
      method: "GET",
      run: (call) => {
        const target = routed(call, ref);
        if (!dataPlane.modelReady(target)) {
          throw new TensorwireError("unavailable", `${describeModel(target)} is not ready`);
        }
        sendJson(call, 200, { name: target.name, ready: true });
      },
    };
  }

  function infer(ref: ModelRef): Route {
    return {
      method: "POST",
      run: async (call) => {
        const { req, res, headers } = call;
        const requestId = requestIdFrom(header(req, requestIdHeader));
        headers[requestIdHeader] = requestId;
        const target = routed(call, ref);
        for (const [name, value] of pipelineVersionFor(target.name)) {
          headers[name] = value;
        }
        const headerLength = header(req, "inference-header-content-length");
        const body = await readBody(req, maxInputSize, alignmentOffset(headerLength));
        if (body.length === 0 && headerLength === undefined) {
          // The codec would read an empty body without the header as Triton's raw binary request.
          throw new TensorwireError(
            "invalid_argument",
            "the request body is empty: expected an inference request",
            {
              field: "body",
            },
          );
        }
        const request = decodeBinaryRequest(body, headerLength);
        const abort = new AbortController();
        res.once("close", () => {
          if (!res.writableEnded) {
            abort.abort();
          }
        });
        const response = await dataPlane.infer(target, request, {
          requestId,
          protocol: "rest",
          signal: abort.signal,
        });
        sendBinary(call, encodeBinaryResponse(response, request));
      },
    };
  }

  function statistics(ref: Partial<ModelRef> | undefined): Route {
    return {
      method: "GET",
      run: (call) => sendJson(call, 200, { model_stats: dataPlane.statistics(ref).map(statisticsJson) }),
    };
  }

  const repositoryIndex: Route = {
    method: "POST",
    run: async (call) => {
      const json = await readJsonObject(call, maxInputSize);
      const ready = json.ready;
      if (ready !== undefined && typeof ready !== "boolean") {
        throw new TensorwireError(
          "invalid_argument",
          `ready: expected a boolean, got ${JSON.stringify(ready)}`,
          {
            field: "ready",
          },
        );
      }
      sendJson(call, 200, dataPlane.repositoryIndex({ readyOnly: ready === true }));
    },
  };

  function repositoryAction(name: string, action: "load" | "unload"): Route {
    return {
      method: "POST",
      run: async (call) => {
        const json = await readJsonObject(call, maxInputSize);
        const parameters: Parameters | undefined = parametersFromJson(json.parameters, "parameters");
        await (action === "load"
          ? dataPlane.repositoryLoad(name, parameters)
          : dataPlane.repositoryUnload(name, parameters));
        call.res.writeHead(200, { ...call.headers, "content-length": "0" });
        call.res.end();
      },
    };
  }

  /** The route for a path, undefined for an unknown one. Throws for undecodable segments. */
  function match(path: string): Route | undefined {
    const s = path.split("/").map(segment);
    if (s[0] !== "" || s[1] !== "v2") {
      return undefined;
    }
    const n = s.length;
    if (n === 2 || (n === 3 && s[2] === "")) {
      return serverMetadata;
    }
    switch (s[2]) {
      case "health":
        if (n === 4) {
          return s[3] === "live" ? healthLive : s[3] === "ready" ? healthReady : undefined;
        }
        return undefined;
      case "models":
        return matchModel(s.slice(3));
      case "repository":
        if (n === 4 && s[3] === "index") {
          return repositoryIndex;
        }
        if (n === 6 && s[3] === "models" && (s[5] === "load" || s[5] === "unload")) {
          return repositoryAction(s[4] as string, s[5]);
        }
        return undefined;
      case "pipelines":
        // Seldon's pipeline gateway path: /v2/pipelines/{p}/... is /v2/models/{p}.pipeline/...
        return n >= 4 ? matchModel([`${s[3]}${pipelineSuffix}`, ...s.slice(4)]) : undefined;
      default:
        return undefined;
    }
  }

  /** `/v2/models/...` after "models": `stats`, `{m}[/versions/{v}][/ready|/infer|/stats]`. */
  function matchModel(s: string[]): Route | undefined {
    if (s.length === 1 && s[0] === "stats") {
      return statistics(undefined);
    }
    const name = s[0];
    if (name === undefined || name === "") {
      return undefined;
    }
    let ref: ModelRef = { name };
    let rest = s.slice(1);
    if (rest[0] === "versions") {
      const version = rest[1];
      if (version === undefined || version === "") {
        return undefined;
      }
      ref = { name, version };
      rest = rest.slice(2);
    }
    if (rest.length === 0) {
      return modelMetadata(ref);
    }
    if (rest.length !== 1) {
      return undefined;
    }
    switch (rest[0]) {
      case "ready":
        return modelReady(ref);
      case "infer":
        return infer(ref);
      case "stats":
        return statistics(ref);
      default:
        return undefined;
    }
  }

  async function serve(req: NodeServerRequest, res: NodeServerResponse, headers: OutgoingHttpHeaders) {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const route = match(q < 0 ? url : url.slice(0, q));
    if (route === undefined) {
      if (extensions.dialects?.(req, res) === true) {
        return;
      }
      req.resume();
      sendJson({ req, res, headers }, 404, { error: "Not Found" });
      return;
    }
    if (req.method !== route.method) {
      req.resume();
      headers.allow = route.method;
      sendJson({ req, res, headers }, 405, { error: "Method Not Allowed" });
      return;
    }
    const health = route === healthLive || route === healthReady;
    const denied = extensions.authorize?.((name) => header(req, name), health);
    if (denied !== undefined) {
      headers["www-authenticate"] = authChallenge;
      throw denied;
    }
    await route.run({ req, res, headers });
  }

  return function restHandler(req, res) {
    const headers = echoedHeaders(req);
    serve(req, res, headers).catch((err: unknown) => sendError({ req, res, headers }, err));
  };
}

/** The model a route is for: the path's, or the `seldon-model` header's when one is sent. */
function routed(call: Call, ref: ModelRef): ModelRef {
  const value = header(call.req, seldonModelHeader);
  if (value === undefined) {
    return ref;
  }
  const name = targetModel(ref.name, value);
  return ref.version === undefined ? { name } : { name, version: ref.version };
}

/** Where a binary request's tensor data starts, for `readBody`; 0 when the header is absent or malformed. */
function alignmentOffset(headerLength: string | undefined): number {
  const n = headerLength === undefined ? 0 : Number(headerLength);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

function describeModel(ref: ModelRef): string {
  return ref.version === undefined ? `model '${ref.name}'` : `model '${ref.name}' version '${ref.version}'`;
}

function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new TensorwireError("invalid_argument", `the path segment '${raw}' is not valid percent-encoding`, {
      field: "path",
    });
  }
}

/** A small JSON body (repository calls): empty means `{}`. */
async function readJsonObject(call: Call, limit: number): Promise<{ readonly [key: string]: unknown }> {
  const body = await readBody(call.req, limit);
  if (body.length === 0) {
    return {};
  }
  const json = parseJsonText(body.toString("utf8"));
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new TensorwireError("invalid_argument", "the request body must be a JSON object", {
      field: "body",
    });
  }
  return json;
}

function sendJson(call: Call, status: number, json: unknown): void {
  const body = Buffer.from(JSON.stringify(json));
  call.res.writeHead(status, {
    ...call.headers,
    "content-type": "application/json",
    "content-length": String(body.length),
  });
  call.res.end(body);
}

function sendBinary(call: Call, body: BinaryBody): void {
  const { res } = call;
  const headers: OutgoingHttpHeaders = { ...call.headers, "content-length": String(body.byteLength) };
  if (body.headerLength === undefined) {
    headers["content-type"] = "application/json";
  } else {
    headers["content-type"] = "application/octet-stream";
    headers["inference-header-content-length"] = String(body.headerLength);
  }
  res.writeHead(200, headers);
  const last = body.chunks.length - 1;
  for (let i = 0; i < last; i++) {
    res.write(body.chunks[i] as Uint8Array);
  }
  res.end(body.chunks[last] as Uint8Array);
}

function sendError(call: Call, err: unknown): void {
  const tw = TensorwireError.from(err);
  if (prepareErrorResponse(call, tw, err)) {
    sendJson(call, errorStatus[tw.code].http, { error: tw.message });
  }
}

function durationJson(d: Duration) {
  return { count: d.count, ns: d.ns };
}

const zero: Duration = { count: 0, ns: 0 };

/** Triton's statistics JSON; cache and memory fields are always empty, as there is no cache. */
function statisticsJson(s: ModelStatistics) {
  const i = s.inferenceStats;
  return {
    name: s.name,
    version: s.version,
    last_inference: s.lastInference,
    inference_count: s.inferenceCount,
    execution_count: s.executionCount,
    inference_stats: {
      success: durationJson(i.success),
      fail: durationJson(i.fail),
      queue: durationJson(i.queue),
      compute_input: durationJson(i.computeInput),
      compute_infer: durationJson(i.computeInfer),
      compute_output: durationJson(i.computeOutput),
      cache_hit: durationJson(zero),
      cache_miss: durationJson(zero),
    },
    response_stats: {},
    batch_stats: s.batchStats.map((b) => ({
      batch_size: b.batchSize,
      compute_input: durationJson(b.computeInput),
      compute_infer: durationJson(b.computeInfer),
      compute_output: durationJson(b.computeOutput),
    })),
    memory_usage: [],
  };
}
