import { randomUUID } from "node:crypto";
import { readBody } from "../../http/read-body.js";
import { readJson } from "../../http/read-json.js";
import { header } from "../../http/request-headers.js";
import type { RestRoute } from "../../http/rest-router.js";
import { errorJson, sendJson } from "../../http/send-json.js";
import type { DialectDeps, DialectFactory } from "../dialect.js";
import { requestIdFrom, requestIdHeader } from "../seldon-headers.js";
import { parseV1Path, type V1Path, v1ModelSegments } from "../v1-path.js";
import { classify, modelMetadata, modelRefOf, modelVersionStatus, predict, regress } from "./model-api.js";

/**
 * TensorFlow Serving REST (`api_rest.md`): model status, metadata, predict (row and columnar),
 * classify and regress, also under Hopsworks' `/hopsworks-api/api/project/{id}/models/` prefix
 * (with a mock of Hopsworks' login, `POST /hopsworks-api/api/auth/login`).
 * Bodies may carry bare NaN/Infinity and answer with them. Errors are `{"error": "<message>"}`.
 * `GET /v1/models/{m}` and `POST /v1/models/{m}:predict` are shared with KServe V1: this dialect
 * answers them only with `v1Dialect: "tfserving"` (see README.md).
 */
export const tfServing: DialectFactory = (deps) => ({
  name: "tf-serving",
  rest: {
    match(path) {
      if (path.length === 5 && path.join("/") === "/hopsworks-api/api/auth/login") {
        return hopsworksLogin;
      }
      const segments = v1ModelSegments(path);
      const parsed = segments === undefined ? undefined : parseV1Path(segments);
      if (parsed === undefined) {
        return undefined;
      }
      const shared =
        path[1] === "v1" &&
        parsed.version === undefined &&
        parsed.label === undefined &&
        !parsed.metadata &&
        (parsed.verb === undefined || parsed.verb === "predict");
      if (shared && deps.options.v1Dialect !== "tfserving") {
        return undefined;
      }
      return route(deps, parsed);
    },
    error: errorJson,
    paths: [
      "/hopsworks-api/api/auth/login",
      ...[
        "/v1/models/iris",
        "/hopsworks-api/api/project/80/models/iris",
        "/hopsworks-api/api/project/80/inference/models/iris",
      ].flatMap((model) =>
        ["", "/versions/1", "/labels/stable"].flatMap((at) =>
          ["", "/metadata", ":predict", ":classify", ":regress"].map((verb) => `${model}${at}${verb}`),
        ),
      ),
    ],
  },
});

/**
 * Hopsworks' login, which its inference docs call before predicting: a mock that takes any
 * credentials (the form's email and password are read, not checked) and sets a session cookie no
 * route checks. Credentials that are checked are `--api-key` (Hopsworks' `Authorization: ApiKey`).
 */
const hopsworksLogin: RestRoute = {
  methods: ["POST"],
  run: async (call) => {
    await readBody(call.req, call.maxInputSize);
    call.headers["set-cookie"] = `SESSION=${randomUUID()}; Path=/hopsworks-api; HttpOnly`;
    sendJson(call, 200, {});
  },
};

function route(deps: DialectDeps, path: V1Path): RestRoute | undefined {
  switch (path.verb) {
    case undefined:
      return {
        methods: ["GET"],
        run: (call) => {
          const ref = modelRefOf(path);
          sendJson(
            call,
            200,
            path.metadata
              ? modelMetadata(deps, ref)
              : { model_version_status: modelVersionStatus(deps, ref) },
          );
        },
      };
    case "predict":
    case "classify":
    case "regress": {
      const run = { predict, classify, regress }[path.verb];
      return {
        methods: ["POST"],
        run: async (call) => {
          const ref = modelRefOf(path);
          const body = await readJson(call, true);
          const answer = await run(deps, ref, body, requestIdFrom(header(call.req, requestIdHeader)));
          sendJson(call, 200, answer, { nonFiniteTokens: true });
        },
      };
    }
    default:
      return undefined;
  }
}
