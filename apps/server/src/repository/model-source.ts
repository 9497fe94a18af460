import type { RuntimeModifiers, RuntimeSpec } from "../runtime/runtime-spec.js";
import type { ModelConfig } from "./model-config.js";

/** A model as a source describes it, ready for the registry to load. */
export interface ModelDefinition {
  readonly name: string;
  readonly config: ModelConfig;
  /** Every version the source has, whatever the version policy; the registry applies the policy. */
  readonly versions: ReadonlyMap<string, RuntimeSpec>;
  readonly modifiers: RuntimeModifiers;
  /** Changes whenever the files behind the model change; poll mode reloads a model on a change. */
  readonly fingerprint: string;
}

/** Where models come from: a repository on disk, in-memory declarations, the default zoo. */
export interface ModelSource {
  /** The names of the models the source has, each with its current fingerprint. */
  scan(): Promise<ReadonlyMap<string, string>>;
  /** Throws not_found for a name the source does not have. */
  resolve(name: string): Promise<ModelDefinition>;
}
