import { type JsonValue, TensorwireError } from "@tensorwire/codec";
import type { RestRoute } from "../../http/rest-router.js";
import { sendJson } from "../../http/send-json.js";
import type { PipelineInspector } from "../../pipeline/create-pipeline-data-plane.js";
import { inspectToJson } from "../../pipeline/inspect-json.js";

/**
 * `GET /v2/pipelines/{name}/inspect?request_id=<id>&offset=<n>`: the recorded steps of a pipeline's
 * last requests as JSON (`InspectJson`). Seldon's CLI reads them from Kafka; tensorwire keeps them
 * in memory and serves them here, behind the same credential check as every other route.
 */
export function inspectRoute(pipelines: PipelineInspector | undefined): (pipeline: string) => RestRoute {
  return (pipeline) => ({
    methods: ["GET", "HEAD"],
    run: (call) => {
      if (pipelines === undefined) {
        throw new TensorwireError("not_found", `pipeline '${pipeline}' not found`);
      }
      const requestId = call.query.get("request_id") ?? undefined;
      const offsetText = call.query.get("offset");
      const offset = offsetText === null ? undefined : Number(offsetText);
      const traces = pipelines.inspect(pipeline, {
        ...(requestId === undefined || requestId === "" ? {} : { requestId }),
        ...(offset === undefined ? {} : { offset }),
      });
      // A HEAD answer has the GET answer's headers and no body; Node drops the body of a HEAD response.
      sendJson(call, 200, inspectToJson(pipeline, traces) as unknown as JsonValue);
    },
  });
}
