import { type JsonValue, TensorwireError } from "@tensorwire/codec";
import type { ModelRef } from "../../core/infer-target.js";
import { lazy } from "../../core/lazy.js";
import { readJson } from "../../http/read-json.js";
import { header } from "../../http/request-headers.js";
import type { RestRoute } from "../../http/rest-router.js";
import { errorJson, sendJson } from "../../http/send-json.js";
import type { DialectDeps, DialectFactory } from "../dialect.js";
import { requestIdFrom, requestIdHeader } from "../seldon-headers.js";
import { modelVersionStatus, predict as tfServingPredict } from "../tf-serving/model-api.js";
import { parseV1Path, v1ModelSegments } from "../v1-path.js";

const kserveCodec = lazy(() => import("@tensorwire/codec/kserve-v1"));

/**
 * KServe V1 (`v1_protocol.md`, kserve's `v1_endpoints.py`): `GET /` liveness, `GET /v1/models`,
 * model readiness, `:predict` (`instances` → `predictions`) and `:explain` (the model's mock
 * explainer from its config, else 501 as KServe answers a model without one). Errors are
 * `{"error": "<message>"}` as KServe's handlers write them. The readiness and predict paths are
 * shared with TF-Serving; with `v1Dialect: "auto"` this dialect answers them for both (README.md).
 */
export const kserveV1: DialectFactory = (deps) => {
  const mode = deps.options.v1Dialect;

  const live: RestRoute = {
    methods: ["GET"],
    health: true,
    run: (call) => sendJson(call, 200, { status: "alive" }),
  };

  const list: RestRoute = {
    methods: ["GET"],
    run: (call) => sendJson(call, 200, { models: modelNames(deps) }),
  };

  function ready(ref: ModelRef): RestRoute {
    return {
      methods: ["GET"],
      run: (call) => {
        requireModel(deps, ref.name);
        if (!deps.dataPlane.modelReady(ref)) {
          throw new TensorwireError("unavailable", `Model with name ${ref.name} is not ready.`);
        }
        // Both client families read only their own keys, so "auto" answers one body for both.
        const tfServing = mode === "auto" ? { model_version_status: modelVersionStatus(deps, ref) } : {};
        sendJson(call, 200, { name: ref.name, ready: true, ...tfServing });
      },
    };
  }

  function predict(ref: ModelRef): RestRoute {
    return {
      methods: ["POST"],
      run: async (call) => {
        // A superset of both dialects' JSON: TF-Serving bodies may hold bare NaN/Infinity.
        const body = await readJson(call, true);
        const requestId = requestIdFrom(header(call.req, requestIdHeader));
        if (mode === "auto" && looksLikeTfServing(body)) {
          sendJson(call, 200, await tfServingPredict(deps, ref, body, requestId), { nonFiniteTokens: true });
          return;
        }
        const { decodeKserveV1Request, encodeKserveV1Response } = await kserveCodec();
        const meta = deps.dataPlane.modelMetadata(ref);
        const inputs = decodeKserveV1Request(body, { metadata: meta.inputs });
        const response = await deps.dataPlane.infer(ref, { inputs }, { requestId, protocol: "kserve-v1" });
        sendJson(call, 200, encodeKserveV1Response(response.outputs));
      },
    };
  }

  function explain(ref: ModelRef): RestRoute {
    return {
      methods: ["POST"],
      run: async (call) => {
        requireModel(deps, ref.name);
        const described = deps.dataPlane.describe(ref);
        const explainer = described?.kind === "model" ? described.explainer : undefined;
        if (explainer === undefined) {
          call.req.resume();
          if (!deps.dataPlane.modelReady(ref)) {
            throw new TensorwireError("unavailable", `Model with name ${ref.name} is not ready.`);
          }
          throw new TensorwireError(
            "unimplemented",
            `Model with name ${ref.name} has no explainer: tensorwire serves predictions only`,
          );
        }
        // The explain request is the predict request: `instances`, checked against the model's inputs.
        const body = await readJson(call);
        const { decodeKserveV1Request, encodeKserveV1Response } = await kserveCodec();
        const meta = deps.dataPlane.modelMetadata(ref);
        const inputs = decodeKserveV1Request(body, { metadata: meta.inputs });
        if (explainer.kind === "constant") {
          sendJson(call, 200, explainer.response);
          return;
        }
        const requestId = requestIdFrom(header(call.req, requestIdHeader));
        const response = await deps.dataPlane.infer(ref, { inputs }, { requestId, protocol: "kserve-v1" });
        sendJson(call, 200, { explanations: encodeKserveV1Response(response.outputs).predictions });
      },
    };
  }

  return {
    name: "kserve-v1",
    rest: {
      match(path) {
        if (path.length === 2 && path[1] === "") {
          return live;
        }
        if (path[1] !== "v1") {
          return undefined;
        }
        const segments = v1ModelSegments(path);
        if (segments === undefined) {
          return undefined;
        }
        if (segments.length === 0 || (segments.length === 1 && segments[0] === "")) {
          return list;
        }
        const parsed = parseV1Path(segments);
        if (
          parsed === undefined ||
          parsed.version !== undefined ||
          parsed.label !== undefined ||
          parsed.metadata
        ) {
          return undefined;
        }
        const ref = { name: parsed.name };
        switch (parsed.verb) {
          case undefined:
            return mode === "tfserving" ? undefined : ready(ref);
          case "predict":
            return mode === "tfserving" ? undefined : predict(ref);
          case "explain":
            return explain(ref);
          default:
            return undefined;
        }
      },
      error: errorJson,
      paths: ["/", "/v1/models", "/v1/models/iris", "/v1/models/iris:predict", "/v1/models/iris:explain"],
    },
  };
};

/** TF-Serving's columnar form or an explicit signature: KServe V1 requests have neither. */
function looksLikeTfServing(body: JsonValue): boolean {
  return (
    typeof body === "object" &&
    body !== null &&
    !Array.isArray(body) &&
    (Object.hasOwn(body, "inputs") || Object.hasOwn(body, "signature_name"))
  );
}

function modelNames(deps: DialectDeps): string[] {
  return [...new Set(deps.dataPlane.repositoryIndex({ readyOnly: false }).map((e) => e.name))];
}

function requireModel(deps: DialectDeps, name: string): void {
  if (!modelNames(deps).includes(name)) {
    throw new TensorwireError("not_found", `Model with name ${name} does not exist.`);
  }
}
