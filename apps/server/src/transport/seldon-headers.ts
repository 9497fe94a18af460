import { type Result, TensorwireError } from "@tensorwire/codec";
import { Xid } from "xid-ts";
import { pipelineVersion } from "../pipeline/create-pipeline-data-plane.js";
import { pipelineSuffix } from "../repository/model-name.js";

/**
 * Seldon Core v2 header behaviour, shared by REST and gRPC:
 * - `seldon-model` (HTTP header or gRPC metadata) names the model a request is for: `<model>`,
 *   `<model>.model` or `<pipeline>.pipeline`. When present it wins over the model named in the path
 *   or message, as Seldon's agent rewrites the path/message to the header's model. Anything else
 *   (empty, two dots, another suffix) is a 400, as Seldon's gateway answers.
 * - every inference response carries `x-request-id`: the caller's, else a new XID.
 * - request headers whose name starts with `x-` come back on the response.
 */

export const seldonModelHeader = "seldon-model";
export const requestIdHeader = "x-request-id";

/** Seldon answers every pipeline request with the pipeline's version in this header. */
export const pipelineVersionHeader = "x-pipeline-version";

/**
 * The response header a pipeline answer carries, or none for a model; `target` is what the request
 * addresses (the `seldon-model` header's value or the routed model name).
 */
export function pipelineVersionFor(target: string | null | undefined): [string, string][] {
  return target?.endsWith(pipelineSuffix) === true ? [[pipelineVersionHeader, pipelineVersion]] : [];
}

export type SeldonTarget = { readonly kind: "model" | "pipeline"; readonly name: string };

/** Parses a `seldon-model` value the way Seldon's gateway does. */
export function parseSeldonModel(value: string): Result<SeldonTarget> {
  const parts = value.trim().split(".");
  const name = parts[0] ?? "";
  const suffix = parts.length === 2 ? parts[1] : undefined;
  if (
    name === "" ||
    parts.length > 2 ||
    (parts.length === 2 && suffix !== "model" && suffix !== "pipeline")
  ) {
    return {
      ok: false,
      error: `Bad or missing header ${seldonModelHeader}: expected <model>, <model>.model or <pipeline>.pipeline, got '${value}'`,
    };
  }
  return { ok: true, value: { kind: suffix === "pipeline" ? "pipeline" : "model", name } };
}

/**
 * The model a request is for: the `seldon-model` header's when present, else the one the path or
 * message names. A pipeline keeps its `.pipeline` suffix, which is how the data plane tells it from
 * a model. Throws invalid_argument for a bad header.
 */
export function targetModel(named: string, header: string | null | undefined): string {
  if (header === undefined || header === null) {
    return named;
  }
  const target = parseSeldonModel(header);
  if (!target.ok) {
    throw new TensorwireError("invalid_argument", target.error, { field: seldonModelHeader });
  }
  return target.value.kind === "pipeline" ? `${target.value.name}${pipelineSuffix}` : target.value.name;
}

/** The caller's request id when it sent one, else a new XID (20 characters, base32hex). */
export function requestIdFrom(value: string | null | undefined): string {
  return value === undefined || value === null || value === "" ? new Xid().toString() : value;
}

/** True for a header name Seldon copies back onto the response (`x-`, any case). */
export function isEchoedHeader(name: string): boolean {
  return name.length > 2 && (name.charCodeAt(0) | 0x20) === 0x78 && name.charCodeAt(1) === 0x2d;
}
