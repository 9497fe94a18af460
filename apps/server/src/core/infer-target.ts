/**
 * What a request addresses: a model (a version of it, or its latest ready one) or a Seldon v2
 * pipeline. Protocols parse it once, at their boundary (`seldon-model: <p>.pipeline`,
 * `/v2/pipelines/<p>/...`); below them the kind is a field, never a name suffix.
 */
export type InferTarget = ModelRef | PipelineRef;

/** A model, and optionally one version of it. `kind` may be left out: a bare `{ name }` is a model. */
export interface ModelRef {
  /** A model (the default). */
  readonly kind?: "model";
  /** The model's name. */
  readonly name: string;
  /** Absent or empty: the model's default (latest ready) version. */
  readonly version?: string;
}

/** A Seldon v2 pipeline, by its name (without Seldon's `.pipeline` suffix). */
export interface PipelineRef {
  /** A pipeline. */
  readonly kind: "pipeline";
  /** The pipeline's name. */
  readonly name: string;
}

/**
 * Seldon addresses a pipeline as `<name>.pipeline`, so model names may not end so (the repository
 * refuses them) and the protocols' target parser reads it.
 */
export const pipelineSuffix = ".pipeline";

/**
 * The name Seldon addresses a target by: the model's name, or `<pipeline>.pipeline`. For records
 * that keep one name per request (the inference log), not for routing.
 */
export function seldonName(target: InferTarget): string {
  return target.kind === "pipeline" ? `${target.name}${pipelineSuffix}` : target.name;
}

/** The model ref without its kind, a version only when one is given. */
export function modelRef(name: string, version: string | undefined): ModelRef {
  return version === undefined || version === "" ? { name } : { name, version };
}
