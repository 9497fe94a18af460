import { invalidArgument, type JsonValue, TensorwireError } from "@tensorwire/codec";
import type { ModelMetadata, TensorMetadata } from "../../core/data-plane.js";
import { lazy } from "../../core/lazy.js";
import { mediaType } from "../../http/media-type.js";
import { parseJson, readJson, readRequestBody } from "../../http/read-json.js";
import { header } from "../../http/request-headers.js";
import type { RestCall, RestDialect, RestRoute } from "../../http/rest-router.js";
import { sendBytes, sendJson } from "../../http/send-json.js";
import type { DialectDeps } from "../dialect.js";
import { requestIdFrom, requestIdHeader, seldonModelHeader } from "../seldon-headers.js";
import type { ComponentResult, PayloadDecoder, SeldonComponent } from "./seldon-component.js";

/**
 * Seldon Core v1 REST: the executor's external API (`/api/v1.0/...`, also under the ingress prefix
 * `/seldon/<namespace>/<deployment>/`, whose deployment names the model) and the python wrapper's
 * internal microservice API (`/predict`, `/route`, ...). Errors are Seldon's status form:
 * `{"status": {"code": <http>, "info": "<message>", "reason": "...", "status": "FAILURE"}}`.
 */

export const seldonPuidHeader = "seldon-puid";

type Action = "predict" | "feedback" | "route" | "aggregate";

/** Path (after any ingress prefix) → what it does. Message routes take GET too, as the wrapper's do. */
const messageRoutes: ReadonlyMap<string, Action> = new Map([
  ["/api/v1.0/predictions", "predict"],
  ["/api/v0.1/predictions", "predict"],
  ["/predict", "predict"],
  ["/transform-input", "predict"],
  ["/transform-output", "predict"],
  ["/api/v1.0/feedback", "feedback"],
  ["/api/v0.1/feedback", "feedback"],
  ["/send-feedback", "feedback"],
  ["/route", "route"],
  ["/aggregate", "aggregate"],
]);

/** `RestDialect.paths`: every path, bare and under the ingress prefix. */
const seldonPaths: readonly string[] = [
  ...messageRoutes.keys(),
  "/health/ping",
  "/health/status",
  "/api/v1.0/health/status",
  "/metadata",
  "/api/v1.0/metadata",
  "/api/v1.0/metadata/iris",
].flatMap((path) => [path, `/seldon/default/iris${path}`]);

// Seldon's JSON codec brings protobuf (TFTensor, jsonData): imported at the first Seldon message.
const seldonCodec = lazy(() => import("@tensorwire/codec/seldon-v1"));

export function seldonRest(deps: DialectDeps, component: SeldonComponent): RestDialect {
  function message(action: Action, named: string | undefined): RestRoute {
    return {
      methods: ["GET", "POST"],
      run: async (call) => {
        const { decodeSeldonJson, encodeSeldonJson } = await seldonCodec();
        const model = component.target(named, header(call.req, seldonModelHeader));
        const body = await readMessage(call);
        const request = objectBody(body, action === "aggregate" ? "SeldonMessageList" : "SeldonMessage");
        const puid = puidOf(call, request);
        const decoder =
          (json: unknown): PayloadDecoder =>
          (options) =>
            decodeSeldonJson(json, options);
        let result: ComponentResult;
        switch (action) {
          case "predict":
            result = await component.predict(model, decoder(request), puid);
            break;
          case "route":
            result = await component.route(model, decoder(request), puid);
            break;
          case "aggregate": {
            const list = request.seldonMessages;
            if (!Array.isArray(list)) {
              throw invalidArgument("expected 'seldonMessages' to be a list of SeldonMessages", {
                field: "seldonMessages",
              });
            }
            result = await component.aggregate(model, list.map(decoder), puid);
            break;
          }
          case "feedback": {
            const parts = (["request", "response", "truth"] as const).flatMap((key) =>
              request[key] === undefined || request[key] === null ? [] : [decoder(request[key])],
            );
            result = component.feedback(model, parts, request.reward);
            break;
          }
        }
        call.headers[seldonPuidHeader] = puid;
        sendJson(call, 200, {
          ...(result.payload === undefined ? {} : encodeSeldonJson(result.payload)),
          meta: responseMeta(puid, request, result.requestPath),
        });
      },
    };
  }

  const ping: RestRoute = {
    methods: ["GET"],
    health: true,
    run: (call) => sendBytes(call, 200, Buffer.from("pong"), "text/plain; charset=utf-8"),
  };

  function status(named: string | undefined): RestRoute {
    return {
      methods: ["GET"],
      health: true,
      run: (call) => {
        const model = component.target(named, header(call.req, seldonModelHeader));
        if (!deps.dataPlane.modelReady(model)) {
          throw new TensorwireError("unavailable", `model '${model.name}' is not ready`);
        }
        sendJson(call, 200, {
          status: { code: 200, info: `model '${model.name}' is ready`, reason: "", status: "SUCCESS" },
        });
      },
    };
  }

  function modelMetadata(named: string | undefined): RestRoute {
    return {
      methods: ["GET"],
      run: (call) => {
        const model = component.target(named, header(call.req, seldonModelHeader));
        sendJson(call, 200, metadataJson(component.metadata(model)));
      },
    };
  }

  function graphMetadata(named: string | undefined): RestRoute {
    return {
      methods: ["GET"],
      run: (call) => {
        const meta = component.metadata(component.target(named, header(call.req, seldonModelHeader)));
        sendJson(call, 200, {
          name: meta.name,
          models: { [meta.name]: metadataJson(meta) },
          graphinputs: meta.inputs.map(tensorJson),
          graphoutputs: meta.outputs.map(tensorJson),
        });
      },
    };
  }

  return {
    paths: seldonPaths,
    match(path) {
      let rest = path;
      let named: string | undefined;
      // The ingress prefix /seldon/<namespace>/<deployment>/: one deployment serves one model here.
      if (path[1] === "seldon" && path.length >= 5 && path[3] !== "") {
        named = path[3];
        rest = ["", ...path.slice(4)];
      }
      const joined = rest.join("/");
      const action = messageRoutes.get(joined);
      if (action !== undefined) {
        return message(action, named);
      }
      switch (joined) {
        case "/health/ping":
          return ping;
        case "/health/status":
        case "/api/v1.0/health/status":
          return status(named);
        case "/metadata":
          return modelMetadata(named);
        case "/api/v1.0/metadata":
          return graphMetadata(named);
      }
      if (rest.length === 5 && joined.startsWith("/api/v1.0/metadata/") && rest[4] !== "") {
        return modelMetadata(rest[4]);
      }
      return undefined;
    },
    error(err) {
      const status = err.httpStatus;
      return {
        status,
        body: {
          status: {
            code: status,
            info: err.message,
            // The python wrapper's two reasons: the caller's data, or the component itself.
            reason: status >= 500 ? "MICROSERVICE_INTERNAL_ERROR" : "MICROSERVICE_BAD_DATA",
            status: "FAILURE",
          },
        },
      };
    },
  };
}

/** The wrapper's order: a form field `json`, then a query argument `json`, then the raw body. */
async function readMessage(call: RestCall): Promise<JsonValue> {
  const contentType = header(call.req, "content-type") ?? "";
  const { type } = mediaType(contentType);
  if (type === "multipart/form-data" || type === "application/x-www-form-urlencoded") {
    const body = await readRequestBody(call);
    let field: unknown;
    try {
      field = (await new Response(body, { headers: { "content-type": contentType } }).formData()).get("json");
    } catch (err) {
      throw invalidArgument(`malformed ${type} body: ${err instanceof Error ? err.message : String(err)}`, {
        field: "body",
      });
    }
    if (typeof field === "string") {
      return parseJson(field, true);
    }
  }
  const query = call.query.get("json");
  if (query !== null) {
    call.req.resume();
    return parseJson(query, true);
  }
  if (type === "multipart/form-data" || type === "application/x-www-form-urlencoded") {
    throw invalidArgument("expected a form field 'json' holding the SeldonMessage", { field: "json" });
  }
  // Python's json module, which the wrapper parses with, accepts bare NaN and Infinity.
  return readJson(call, true);
}

function objectBody(body: JsonValue, what: string): { readonly [key: string]: JsonValue } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidArgument(`expected a ${what} JSON object`, { field: "body" });
  }
  return body as { readonly [key: string]: JsonValue };
}

/** The request's `meta.puid`, else the `Seldon-Puid` header, else `x-request-id`, else a new XID. */
function puidOf(call: RestCall, request: { readonly [key: string]: JsonValue }): string {
  const meta = request.meta;
  const sent =
    typeof meta === "object" && meta !== null && !Array.isArray(meta) && typeof meta.puid === "string"
      ? meta.puid
      : undefined;
  return requestIdFrom(sent || header(call.req, seldonPuidHeader) || header(call.req, requestIdHeader));
}

function responseMeta(
  puid: string,
  request: { readonly [key: string]: JsonValue },
  requestPath: Readonly<Record<string, string>>,
): JsonValue {
  const meta = request.meta;
  const tags =
    typeof meta === "object" && meta !== null && !Array.isArray(meta) && typeof meta.tags === "object"
      ? (meta.tags ?? {})
      : {};
  return { puid, tags, routing: {}, requestPath: { ...requestPath }, metrics: [] };
}

function tensorJson(t: TensorMetadata): JsonValue {
  return { name: t.name, datatype: t.datatype, shape: [...t.shape] };
}

function metadataJson(meta: ModelMetadata): JsonValue {
  return {
    name: meta.name,
    versions: [...meta.versions],
    platform: meta.platform,
    inputs: meta.inputs.map(tensorJson),
    outputs: meta.outputs.map(tensorJson),
  };
}
