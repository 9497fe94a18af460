import type { DataPlane } from "../core/data-plane.js";
import type { InferObserver } from "../core/infer-observer.js";
import { defaultMaxConfigSize } from "../core/yaml-file.js";
import { createModelDataPlane } from "../registry/create-model-data-plane.js";
import { type ControlMode, createModelRegistry } from "../registry/model-registry.js";
import { combineSources, createMemorySource, type ModelDeclaration } from "../repository/memory-source.js";
import { createModelRepository } from "../repository/model-repository.js";
import type { ModelSource } from "../repository/model-source.js";
import type { InferenceWorkers } from "../runtime/inference-workers.js";
import { defaultZoo, type ZooGroup, zooGroups } from "./default-zoo.js";

/** What {@link createServerCore} serves: the models, where they come from and how they run. */
export interface ServerCoreOptions {
  /** A model repository directory (see `createModelRepository`). Default: none. */
  readonly repository: string | undefined;
  /**
   * The name of the model whose files sit at the repository's root, KServe's storage layout:
   * `<repository>/model.onnx` and/or a config file there (see `createModelRepository`). Required
   * when the root holds one, ignored otherwise. Default: none.
   */
  readonly modelName: string | undefined;
  /** Models declared in memory, served beside the repository's (a repository model of the same name wins). */
  readonly models: readonly ModelDeclaration[];
  /**
   * Serve the default zoo (`defaultZoo`: iris, tfsimple, identity_*, fraud, echo, constant and the
   * models of Triton's, KServe's, Wallaroo's and Hopsworks' examples). Default: true when
   * neither `repository` nor `models` is given, so `startServer({ models })` serves exactly `models`.
   */
  readonly zoo: boolean;
  /** With `zoo`: which of its groups to serve (`zooGroups`). Default: every group. */
  readonly zooGroups: readonly ZooGroup[];
  /** Default "none": load everything at start, no load/unload API. See `ControlMode`. */
  readonly controlMode: ControlMode;
  /** explicit mode: models to load at start ("*" for all). Default: none. */
  readonly loadModels: readonly string[];
  /** poll mode: milliseconds between repository scans. Default 5000, a cheap directory walk. */
  readonly pollIntervalMs: number;
  /** Let configs and symlinks reach ONNX files outside the repository. Default false. */
  readonly allowExternalPaths: boolean;
  /**
   * Directories whose modules `runtime: module` models may import, in a repository or in memory:
   * an import runs the module's code, so only the operator allows it. Default: none.
   */
  readonly moduleRoots: readonly string[];
  /**
   * The largest model config file (and `--pipelines` file) read, in bytes: a larger one fails its
   * model's load, naming the file and the limit, before it is read. Default `defaultMaxConfigSize`
   * (1 MiB).
   */
  readonly maxConfigSize: number;
  /**
   * Worker threads that run ONNX models off the event loop; 0 runs them on it. Default 0: the
   * benchmarks (docs/benchmarks.md) show in-thread runs faster for small models, whose ~10 µs
   * runs never hold the loop long; set it for models whose runs take milliseconds.
   */
  readonly inferenceWorkers: number;
  /** Told about every inference (metrics, request logs). Default: none. */
  readonly observer: InferObserver | undefined;
  /** The name server metadata reports. Default "tensorwire". */
  readonly serverName: string;
}

/** The models behind one data plane: what `createServerCore` returns. */
export interface ServerCore {
  /** The model data plane: models only (`startServer` adds pipelines, logging and draining). */
  readonly dataPlane: DataPlane;
  /** Stops polling and unloads every model after its in-flight requests end. */
  close(): Promise<void>;
}

/**
 * Fills in the defaults of every option left out, as {@link createServerCore} does.
 *
 * @example
 * ```ts
 * import { makeServerCoreOptions } from "@tensorwire/server";
 *
 * makeServerCoreOptions({ repository: "./models" }).zoo; // false: a repository replaces the zoo
 * ```
 */
export function makeServerCoreOptions(options: Partial<ServerCoreOptions> = {}): ServerCoreOptions {
  return {
    repository: options.repository,
    modelName: options.modelName,
    models: options.models ?? [],
    zoo: options.zoo ?? (options.repository === undefined && options.models === undefined),
    zooGroups: options.zooGroups ?? zooGroups,
    controlMode: options.controlMode ?? "none",
    loadModels: options.loadModels ?? [],
    pollIntervalMs: options.pollIntervalMs ?? 5000,
    allowExternalPaths: options.allowExternalPaths ?? false,
    moduleRoots: options.moduleRoots ?? [],
    maxConfigSize: options.maxConfigSize ?? defaultMaxConfigSize,
    inferenceWorkers: options.inferenceWorkers ?? 0,
    observer: options.observer,
    serverName: options.serverName ?? "tensorwire",
  };
}

/**
 * Builds the model sources, loads the start-up models and returns the model data plane: the
 * composition of repository, worker threads, registry and zoo. Resolves once
 * every start-up model has loaded or failed; a failed model is UNAVAILABLE with its reason in the
 * repository index and keeps `serverReady()` false, as Triton's strict readiness does.
 */
export async function createServerCore(partial: Partial<ServerCoreOptions> = {}): Promise<ServerCore> {
  const options = makeServerCoreOptions(partial);
  const sources: ModelSource[] = [];
  if (options.repository !== undefined) {
    sources.push(
      createModelRepository({
        root: options.repository,
        modelName: options.modelName,
        allowExternalPaths: options.allowExternalPaths,
        moduleRoots: options.moduleRoots,
        maxConfigSize: options.maxConfigSize,
      }),
    );
  }
  const declarations = [...options.models, ...(options.zoo ? await defaultZoo(options.zooGroups) : [])];
  if (declarations.length > 0) {
    sources.push(await createMemorySource(declarations, { moduleRoots: options.moduleRoots }));
  }
  let source = combineSources(sources);
  let workers: InferenceWorkers | undefined;
  if (options.inferenceWorkers > 0) {
    // The worker-thread machinery is imported only by a server that runs models on worker threads.
    const [{ createInferenceWorkers }, { onWorkers }] = await Promise.all([
      import("../runtime/inference-workers.js"),
      import("../repository/on-workers.js"),
    ]);
    workers = createInferenceWorkers({ threads: options.inferenceWorkers });
    source = onWorkers(source, workers);
  }
  const registry = createModelRegistry({
    source,
    controlMode: options.controlMode,
    startupModels: options.loadModels,
    pollIntervalMs: options.pollIntervalMs,
  });
  await registry.start();
  return {
    dataPlane: createModelDataPlane({
      registry,
      serverName: options.serverName,
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    }),
    async close() {
      await registry.close();
      await workers?.close();
    },
  };
}
