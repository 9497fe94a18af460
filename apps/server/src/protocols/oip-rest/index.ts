import type { OutgoingHttpHeaders } from "node:http";
import { type Parameters, parseJsonText, TensorwireError } from "@tensorwire/codec";
import {
  type BinaryBody,
  decodeBinaryRequest,
  encodeBinaryResponse,
  parametersFromJson,
} from "@tensorwire/codec/rest";
import type { Duration, ModelStatistics } from "../../core/data-plane.js";
import { type InferTarget, type ModelRef, modelRef } from "../../core/infer-target.js";
import { readBody } from "../../http/read-body.js";
import { header } from "../../http/request-headers.js";
import type { RestCall, RestRoute } from "../../http/rest-router.js";
import { errorJson, sendJson } from "../../http/send-json.js";
import type { DialectFactory } from "../dialect.js";
import { modelConfigJson, modelConfigView } from "../model-config.js";
import {
  namedTarget,
  pipelineVersionFor,
  requestIdFrom,
  requestIdHeader,
  resolveTarget,
  seldonModelHeader,
} from "../seldon-headers.js";
import { inspectRoute } from "./inspect-route.js";

/**
 * OIP REST (plus Triton's binary data, repository and statistics extensions, and Seldon's
 * `/v2/pipelines/...` gateway paths) over the data plane: one dialect of the one REST router.
 *
 * Status decisions (errors are `{"error": "<message>"}` with the status of `errorStatus`):
 * - health and readiness answer 200 with KServe's JSON body (`{"live": true}`, `{"ready": true}`,
 *   `{"name", "ready": true}`) and 503 with an error when not live/ready (404 for a model or
 *   pipeline the server does not know, as its metadata answers); tritonclient and every OIP client
 *   only look at the status.
 * - unknown routes 404 `{"error": "Not Found"}`, a known route with another method 405 with
 *   `Allow`, a body over the limit 413, malformed JSON or framing 400. Load and unload answer 200
 *   with an empty body, as Triton and MLServer do.
 */

/** Limits of the REST router. */
export interface RestHandlerOptions {
  /**
   * Largest request body accepted, in bytes, after decompression. Default 64 MiB, Triton's
   * `--http-max-input-size` default. Larger bodies get 413 without being buffered.
   */
  readonly maxInputSize: number;
}

/** The value of `RestHandlerOptions.maxInputSize` unless set: Triton's default (1 << 26). */
export const defaultMaxInputSize = 64 * 1024 * 1024;

/** OIP REST as a dialect of the one REST router (see the status decisions above). */
export const oipRest: DialectFactory = (deps) => {
  const { dataPlane } = deps;

  const healthLive: RestRoute = {
    methods: ["GET"],
    health: true,
    run: (call) => {
      if (!dataPlane.serverLive()) {
        throw new TensorwireError("unavailable", "the server is not live");
      }
      sendJson(call, 200, { live: true });
    },
  };
  const healthReady: RestRoute = {
    methods: ["GET"],
    health: true,
    run: (call) => {
      if (!dataPlane.serverReady()) {
        throw new TensorwireError("unavailable", "the server is not ready");
      }
      sendJson(call, 200, { ready: true });
    },
  };
  const serverMetadata: RestRoute = {
    methods: ["GET"],
    run: (call) => sendJson(call, 200, dataPlane.serverMetadata()),
  };

  function modelMetadata(named: InferTarget): RestRoute {
    return {
      methods: ["GET"],
      run: (call) => {
        const m = dataPlane.modelMetadata(routed(call, named));
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

  /** Triton's model configuration extension. */
  function modelConfig(named: InferTarget): RestRoute {
    return {
      methods: ["GET"],
      run: (call) => sendJson(call, 200, modelConfigJson(modelConfigView(dataPlane, routed(call, named)))),
    };
  }

  function modelReady(named: InferTarget): RestRoute {
    return {
      methods: ["GET"],
      run: (call) => {
        const target = routed(call, named);
        if (!dataPlane.modelReady(target)) {
          // Metadata throws not_found for a target the server does not know: 404, as metadata
          // answers, rather than the 503 of a known target that is not ready.
          dataPlane.modelMetadata(target);
          throw new TensorwireError("unavailable", `${describeTarget(target)} is not ready`);
        }
        sendJson(call, 200, { name: target.name, ready: true });
      },
    };
  }

  function infer(named: InferTarget): RestRoute {
    return {
      methods: ["POST"],
      run: async (call) => {
        const { req, res, headers } = call;
        const requestId = requestIdFrom(header(req, requestIdHeader));
        headers[requestIdHeader] = requestId;
        const target = routed(call, named);
        for (const [name, value] of pipelineVersionFor(dataPlane, target)) {
          headers[name] = value;
        }
        const headerLength = header(req, "inference-header-content-length");
        const body = await readBody(req, call.maxInputSize, alignmentOffset(headerLength));
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
            abort.abort(new TensorwireError("cancelled", "the client closed the connection"));
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

  function statistics(ref: Partial<ModelRef> | undefined): RestRoute {
    return {
      methods: ["GET"],
      run: (call) => sendJson(call, 200, { model_stats: dataPlane.statistics(ref).map(statisticsJson) }),
    };
  }

  const repositoryIndex: RestRoute = {
    methods: ["POST"],
    run: async (call) => {
      const json = await readJsonObject(call);
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

  function repositoryAction(name: string, action: "load" | "unload"): RestRoute {
    return {
      methods: ["POST"],
      run: async (call) => {
        const json = await readJsonObject(call);
        const parameters: Parameters | undefined = parametersFromJson(json.parameters, "parameters");
        await (action === "load"
          ? dataPlane.repositoryLoad(name, parameters)
          : dataPlane.repositoryUnload(name, parameters));
        call.res.writeHead(200, { ...call.headers, "content-length": "0" });
        call.res.end();
      },
    };
  }

  const inspect = inspectRoute(deps.pipelines);

  /** The route for a path, undefined for one that is not OIP's. */
  function match(s: readonly string[]): RestRoute | undefined {
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
      case "pipelines": {
        // Seldon's pipeline gateway: /v2/pipelines/{p}/... is /v2/models/{p}/... for the pipeline p.
        const name = s[3];
        if (name === undefined || name === "") {
          return undefined;
        }
        if (n === 5 && s[4] === "inspect") {
          return inspect(name);
        }
        return targetRoute({ kind: "pipeline", name }, s.slice(4));
      }
      default:
        return undefined;
    }
  }

  /** `/v2/models/...` after "models": `stats`, `{m}[/versions/{v}][/ready|/config|/infer|/stats]`. */
  function matchModel(s: readonly string[]): RestRoute | undefined {
    if (s.length === 1 && s[0] === "stats") {
      return statistics(undefined);
    }
    const name = s[0];
    if (name === undefined || name === "") {
      return undefined;
    }
    let version: string | undefined;
    let rest = s.slice(1);
    if (rest[0] === "versions") {
      version = rest[1];
      if (version === undefined || version === "") {
        return undefined;
      }
      rest = rest.slice(2);
    }
    if (rest.length === 1 && rest[0] === "stats") {
      return statistics(modelRef(name, version));
    }
    return targetRoute(namedTarget(name, version), rest);
  }

  /** A target's metadata, readiness, configuration and inference: `[/ready|/config|/infer]`. */
  function targetRoute(named: InferTarget, rest: readonly string[]): RestRoute | undefined {
    if (rest.length === 0) {
      return modelMetadata(named);
    }
    if (rest.length !== 1) {
      return undefined;
    }
    switch (rest[0]) {
      case "ready":
        return modelReady(named);
      case "config":
        return modelConfig(named);
      case "infer":
        return infer(named);
      default:
        return undefined;
    }
  }

  return { name: "oip-rest", rest: { match, error: errorJson, paths: oipPaths } };
};

/** The target a route is for: the path's, or the `seldon-model` header's when one is sent. */
function routed(call: RestCall, named: InferTarget): InferTarget {
  return resolveTarget(named, header(call.req, seldonModelHeader));
}

/** Where a binary request's tensor data starts, for `readBody`; 0 when the header is absent or malformed. */
function alignmentOffset(headerLength: string | undefined): number {
  const n = headerLength === undefined ? 0 : Number(headerLength);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

function describeTarget(target: InferTarget): string {
  if (target.kind === "pipeline") {
    return `pipeline '${target.name}'`;
  }
  return target.version === undefined
    ? `model '${target.name}'`
    : `model '${target.name}' version '${target.version}'`;
}

/** A small JSON body (repository calls): empty means `{}`. */
async function readJsonObject(call: RestCall): Promise<{ readonly [key: string]: unknown }> {
  const body = await readBody(call.req, call.maxInputSize);
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

function sendBinary(call: RestCall, body: BinaryBody): void {
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

/** `RestDialect.paths`: one sample of each path form `match` claims. */
const oipPaths: readonly string[] = [
  "/v2",
  "/v2/health/live",
  "/v2/health/ready",
  "/v2/models/stats",
  "/v2/repository/index",
  "/v2/repository/models/iris/load",
  "/v2/repository/models/iris/unload",
  "/v2/models/iris",
  "/v2/models/iris/ready",
  "/v2/models/iris/config",
  "/v2/models/iris/infer",
  "/v2/models/iris/stats",
  "/v2/models/iris/versions/1",
  "/v2/models/iris/versions/1/ready",
  "/v2/models/iris/versions/1/config",
  "/v2/models/iris/versions/1/infer",
  "/v2/models/iris/versions/1/stats",
  "/v2/pipelines/tfsimples",
  "/v2/pipelines/tfsimples/ready",
  "/v2/pipelines/tfsimples/config",
  "/v2/pipelines/tfsimples/infer",
  "/v2/pipelines/tfsimples/inspect",
];
