import { invalidArgument, type Tensor } from "@tensorwire/codec";
import type { ModelState, TargetDescription } from "../../core/data-plane.js";
import { lazy } from "../../core/lazy.js";
import type { ValidationConfig } from "../../core/model-extras.js";
import { mediaType } from "../../http/media-type.js";
import { parseJson, readJson, readRequestBody } from "../../http/read-json.js";
import { header } from "../../http/request-headers.js";
import type { RestRoute } from "../../http/rest-router.js";
import { errorJson, sendBytes, sendJson } from "../../http/send-json.js";
import type { DialectDeps, DialectFactory } from "../dialect.js";
import { requestIdFrom, requestIdHeader } from "../seldon-headers.js";
import { resultColumns, resultRecords, selectColumns, withSeparator } from "./result-table.js";

/**
 * Wallaroo pipeline inference: the edge endpoints `POST /pipelines/{name}`, `GET /pipelines` and
 * `GET /models`, the Ops deployment URL `/v1/api/pipelines/infer/{name}-{id}/{name}`, and the
 * MLOps call that answers it (`POST /v1/api/admin/get_pipeline_external_url`). A
 * pipeline here is one model step: the pipeline name is the model name. Requests are pandas
 * records JSON or an Arrow IPC file; the answer uses the `Accept` format, else the request's.
 * Errors are `{"error": "<message>"}`.
 */

const pandasRecords = "application/json; format=pandas-records";
const arrowFile = "application/vnd.apache.arrow.file";
const arrowStream = "application/vnd.apache.arrow.stream";

type Format = "json" | "arrow";

export const wallaroo: DialectFactory = (deps) => {
  const list: RestRoute = {
    methods: ["GET"],
    run: (call) => {
      const byModel = new Map<string, ModelState>();
      for (const e of deps.dataPlane.repositoryIndex({ readyOnly: false })) {
        byModel.set(e.name, byModel.get(e.name) === "READY" ? "READY" : e.state);
      }
      sendJson(call, 200, {
        pipelines: [...byModel].map(([id, state]) => ({ id, status: status(state) })),
      });
    },
  };

  const models: RestRoute = {
    methods: ["GET"],
    run: (call) =>
      sendJson(call, 200, {
        models: deps.dataPlane.repositoryIndex({ readyOnly: false }).map((e) => ({
          name: e.name,
          // The model file's hash is not known to every runtime; an empty sha claims nothing.
          sha: "",
          status: status(e.state),
          version: e.version ?? "",
        })),
      }),
  };

  // The MLOps API call Wallaroo's docs make to find a pipeline's inference URL: here the URL of
  // this server's deployment path for it, on the host the request came to.
  const externalUrl: RestRoute = {
    methods: ["POST"],
    run: async (call) => {
      const body = await readJson(call);
      const pipeline =
        typeof body === "object" && body !== null && !Array.isArray(body) ? body.pipeline_name : undefined;
      if (typeof pipeline !== "string" || pipeline === "") {
        throw invalidArgument("expected 'pipeline_name', the name of a pipeline", { field: "pipeline_name" });
      }
      deps.dataPlane.modelMetadata({ name: pipeline });
      const secure = "encrypted" in call.req.socket && call.req.socket.encrypted === true;
      const host = header(call.req, "host") ?? header(call.req, ":authority") ?? "localhost";
      const path = `/v1/api/pipelines/infer/${encodeURIComponent(pipeline)}-1/${encodeURIComponent(pipeline)}`;
      sendJson(call, 200, { url: `${secure ? "https" : "http"}://${host}${path}` });
    },
  };

  return {
    name: "wallaroo",
    rest: {
      match(path) {
        if (path.length === 2 && path[1] === "pipelines") {
          return list;
        }
        if (path.length === 2 && path[1] === "models") {
          return models;
        }
        if (path.length === 3 && path[1] === "pipelines" && path[2] !== "") {
          return infer(deps, path[2] as string);
        }
        if (path.join("/") === "/v1/api/admin/get_pipeline_external_url") {
          return externalUrl;
        }
        // /v1/api/pipelines/infer/<name>-<deployment id>/<name>
        const [, v1, api, pipelines, verb, deployment, name] = path;
        if (
          path.length === 7 &&
          v1 === "v1" &&
          api === "api" &&
          pipelines === "pipelines" &&
          verb === "infer" &&
          name !== undefined &&
          name !== "" &&
          deployment?.startsWith(`${name}-`)
        ) {
          return infer(deps, name);
        }
        return undefined;
      },
      error: errorJson,
      paths: [
        "/pipelines",
        "/models",
        "/pipelines/iris",
        "/v1/api/admin/get_pipeline_external_url",
        "/v1/api/pipelines/infer/iris-1/iris",
      ],
    },
  };
};

/** The model's validations, none for a model that is not loaded. */
function validationsOf(described: TargetDescription | undefined): readonly ValidationConfig[] {
  return described?.kind === "model" ? described.validations : [];
}

function status(state: ModelState): string {
  return state === "READY" ? "Running" : "Error";
}

// Each format's codec is imported with the first request in that format: Apache Arrow is a large
// library, and pandas records bring the JSON dialects' value readers.
const arrowCodec = lazy(() => import("@tensorwire/codec/arrow"));
const tabularCodec = lazy(() => import("@tensorwire/codec/tabular"));
type ArrowCodec = Awaited<ReturnType<typeof arrowCodec>>;
type TabularCodec = Awaited<ReturnType<typeof tabularCodec>>;

function infer(deps: DialectDeps, model: string): RestRoute {
  return {
    methods: ["POST"],
    run: async (call) => {
      const time = Date.now();
      const ref = { name: model };
      const meta = deps.dataPlane.modelMetadata(ref);
      const options = datasetOptions(call.query);
      const contentType = header(call.req, "content-type") ?? "";
      const requestFormat = formatOf(contentType);
      const replyFormat = acceptedFormat(header(call.req, "accept")) ?? requestFormat;
      // Both loaded before the parse, which the result's timings measure.
      const arrow = requestFormat === "arrow" || replyFormat === "arrow" ? await arrowCodec() : undefined;
      const tabular = requestFormat === "arrow" && replyFormat === "arrow" ? undefined : await tabularCodec();
      const body = await readRequestBody(call);
      const parseStart = process.hrtime.bigint();
      const inputs: Tensor[] =
        requestFormat === "arrow"
          ? (arrow as ArrowCodec).decodeArrowIpc(body)
          : (tabular as TabularCodec).decodePandasRecords(parseJson(body.toString("utf8"), true), {
              metadata: meta.inputs,
            });
      const stepStart = process.hrtime.bigint();
      const response = await deps.dataPlane.infer(
        ref,
        { inputs },
        { requestId: requestIdFrom(header(call.req, requestIdHeader)), protocol: "wallaroo" },
      );
      const stepEnd = process.hrtime.bigint();
      const columns = resultColumns({
        model,
        version: response.modelVersion ?? "",
        time,
        inputs,
        outputs: response.outputs,
        validations: validationsOf(deps.dataPlane.describe(ref)),
        elapsed: [stepStart - parseStart, stepEnd - stepStart],
      });
      const chosen = selectColumns(columns, options.dataset, options.exclude);
      if (replyFormat === "arrow") {
        // As the JSON records: nested groups (Struct columns `in`, `out`, ...) unless a separator
        // asks for flat names.
        const { encodeArrowIpc } = arrow as ArrowCodec;
        const bytes =
          options.separator === undefined
            ? encodeArrowIpc(chosen, { nest: "." })
            : encodeArrowIpc(withSeparator(chosen, options.separator));
        sendBytes(call, 200, bytes, arrowFile);
      } else {
        const records = resultRecords(
          (tabular as TabularCodec).encodePandasRecords,
          chosen,
          options.separator,
        );
        sendJson(call, 200, records, { contentType: pandasRecords });
      }
    },
  };
}

function formatOf(contentType: string): Format {
  const { type, params } = mediaType(contentType);
  if (type === arrowFile || type === arrowStream) {
    return "arrow";
  }
  const format = params.get("format");
  if (type === "application/json" && (format === undefined || format === "pandas-records")) {
    return "json";
  }
  throw invalidArgument(
    `unsupported Content-Type '${contentType}': send '${pandasRecords}' or '${arrowFile}'`,
    { field: "Content-Type" },
  );
}

/** The first format the Accept header names; undefined (answer like the request) for none. */
function acceptedFormat(accept: string | undefined): Format | undefined {
  for (const entry of accept?.split(",") ?? []) {
    const { type } = mediaType(entry);
    if (type === arrowFile || type === arrowStream) {
      return "arrow";
    }
    if (type === "application/json") {
      return "json";
    }
  }
  return undefined;
}

interface DatasetOptions {
  readonly dataset: readonly string[];
  readonly exclude: readonly string[];
  readonly separator: string | undefined;
}

/**
 * The SDK's `dataset`, `dataset_exclude` and `dataset_separator`, under those names or the ones
 * the SDK puts in the URL (`dataset[]`, `dataset.exclude[]`, `dataset.separator`); lists may
 * repeat the parameter or separate entries with commas. Default dataset: `*` and `metadata`, the
 * columns Wallaroo's REST API answers.
 */
function datasetOptions(query: URLSearchParams): DatasetOptions {
  const all = (...names: string[]) =>
    names
      .flatMap((n) => query.getAll(n))
      .flatMap((v) =>
        v
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      );
  const dataset = all("dataset", "dataset[]");
  const separator = query.get("dataset_separator") ?? query.get("dataset.separator") ?? undefined;
  if (separator === "") {
    throw invalidArgument("dataset_separator: expected a non-empty separator", {
      field: "dataset_separator",
    });
  }
  return {
    dataset: dataset.length === 0 ? ["*", "metadata"] : dataset,
    exclude: all("dataset_exclude", "dataset.exclude", "dataset.exclude[]"),
    separator,
  };
}
