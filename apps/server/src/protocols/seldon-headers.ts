import { type Result, TensorwireError } from "@tensorwire/codec";
import { Xid } from "xid-ts";
import type { DataPlane } from "../core/data-plane.js";
import { type InferTarget, modelRef, pipelineSuffix } from "../core/infer-target.js";

/**
 * Seldon Core v2 header behaviour, shared by REST and gRPC, and the one place that reads a target
 * from what a request names:
 * - `seldon-model` (HTTP header or gRPC metadata) names the model a request is for: `<model>`,
 *   `<model>.model` or `<pipeline>.pipeline`. When present it wins over the model named in the path
 *   or message, as Seldon's agent rewrites the path/message to the header's model. Anything else
 *   (empty, two dots, another suffix) is a 400, as Seldon's gateway answers.
 * - every inference response carries `x-request-id`: the caller's, else a new XID.
 * - request headers whose name starts with `x-` come back on the response.
 * - pipeline answers carry `x-pipeline-version`.
 */

export const seldonModelHeader = "seldon-model";
export const requestIdHeader = "x-request-id";

/** Seldon answers every pipeline request with the pipeline's version in this header. */
export const pipelineVersionHeader = "x-pipeline-version";

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
 * The target a path or message names: a model (and version), or a pipeline when the name ends
 * `.pipeline`, the suffix model names may not have.
 */
export function namedTarget(name: string, version?: string): InferTarget {
  return name.endsWith(pipelineSuffix)
    ? { kind: "pipeline", name: name.slice(0, -pipelineSuffix.length) }
    : modelRef(name, version);
}

/**
 * The target a request is for: the `seldon-model` header's when present (a model keeps the
 * version the path or message names), else `named`. Throws invalid_argument for a bad header.
 */
export function resolveTarget(named: InferTarget, header: string | null | undefined): InferTarget {
  if (header === undefined || header === null) {
    return named;
  }
  const target = parseSeldonModel(header);
  if (!target.ok) {
    throw new TensorwireError("invalid_argument", target.error, { field: seldonModelHeader });
  }
  const { kind, name } = target.value;
  return kind === "pipeline"
    ? { kind, name }
    : modelRef(name, named.kind === "pipeline" ? undefined : named.version);
}

/** The `x-pipeline-version` header a pipeline's answer carries; none for a model or an unknown pipeline. */
export function pipelineVersionFor(dataPlane: DataPlane, target: InferTarget): [string, string][] {
  if (target.kind !== "pipeline") {
    return [];
  }
  const described = dataPlane.describe(target);
  return described?.kind === "pipeline" ? [[pipelineVersionHeader, described.version]] : [];
}

/** The caller's request id when it sent one, else a new XID (20 characters, base32hex). */
export function requestIdFrom(value: string | null | undefined): string {
  return value === undefined || value === null || value === "" ? new Xid().toString() : value;
}
