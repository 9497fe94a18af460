import { type JsonValue, stringifyJsonText, TensorwireError } from "@tensorwire/codec";
import type { NodeServerRequest, NodeServerResponse } from "../transport/node-types.js";
import type { PipelineDataPlane } from "./create-pipeline-data-plane.js";
import { inspectToJson } from "./inspect-json.js";

const inspectPath = /^\/v2\/pipelines\/([^/]+)\/inspect$/;

/**
 * `GET /v2/pipelines/{name}/inspect?request_id=<id>&offset=<n>`: the recorded steps of a pipeline's
 * last requests as JSON (`InspectJson`). Seldon's CLI reads them from Kafka; tensorwire keeps them
 * in memory and serves them here. Returns false for any other path, so it can sit in front of the
 * REST handler; errors answer `{"error": "..."}` with the code's HTTP status.
 */
export function createInspectHandler(
  dataPlane: PipelineDataPlane,
): (req: NodeServerRequest, res: NodeServerResponse) => boolean {
  return (req, res) => {
    // This runs in front of every REST request: a URL parse costs more than many whole inferences,
    // and no path the pattern below matches lacks the literal text (URLs never decode %-escapes).
    if (req.url?.includes("inspect") !== true) {
      return false;
    }
    const url = new URL(req.url, "http://localhost");
    const match = inspectPath.exec(url.pathname);
    if (match === null || (req.method !== "GET" && req.method !== "HEAD")) {
      return false;
    }
    const pipeline = decodeURIComponent(match[1] as string);
    let status = 200;
    let body: JsonValue;
    try {
      const requestId = url.searchParams.get("request_id") ?? undefined;
      const offsetText = url.searchParams.get("offset");
      const offset = offsetText === null ? undefined : Number(offsetText);
      const traces = dataPlane.inspect(pipeline, {
        ...(requestId === undefined || requestId === "" ? {} : { requestId }),
        ...(offset === undefined ? {} : { offset }),
      });
      body = inspectToJson(pipeline, traces) as unknown as JsonValue;
    } catch (err) {
      const error = TensorwireError.from(err);
      status = error.httpStatus;
      body = { error: error.message };
    }
    const text = stringifyJsonText(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(req.method === "HEAD" ? "" : text);
    return true;
  };
}
