import { TensorwireError } from "@tensorwire/codec";
import type { ModelState, RepositoryIndexEntry } from "../core/data-plane.js";
import type { ModelRef } from "../core/infer-target.js";
import type { ModelRuntime } from "../core/model-runtime.js";
import type { ModelConfig, VersionPolicy } from "../repository/model-config.js";
import type { ModelDefinition, ModelSource } from "../repository/model-source.js";
import { createRuntime } from "../runtime/runtime-factories.js";
import { bindModel, type ModelBinding } from "./model-binding.js";
import { createStatisticsRecorder, type StatisticsRecorder } from "./model-statistics.js";

/**
 * Triton's model control modes:
 * - `none`: every model in the sources is loaded at start; the load/unload API is refused.
 * - `explicit`: only `startupModels` are loaded at start; the load/unload API works.
 * - `poll`: like `none`, and the sources are re-scanned every `pollIntervalMs` to load added or
 *   changed models and unload removed ones; the load/unload API is refused.
 */
export type ControlMode = "none" | "explicit" | "poll";

/** Config keys a load request may replace (Triton's load `config` parameter). */
export type ModelConfigOverride = Partial<Pick<ModelConfig, "maxBatchSize">>;

export interface ModelRegistryOptions {
  readonly source: ModelSource;
  readonly controlMode: ControlMode;
  /** explicit mode: the models loaded at start; "*" loads every model. */
  readonly startupModels: readonly string[];
  /** poll mode: milliseconds between scans. */
  readonly pollIntervalMs: number;
}

/** A loaded, ready model version. */
export interface ServedVersion {
  readonly name: string;
  readonly version: string;
  readonly runtime: ModelRuntime;
  readonly binding: ModelBinding;
  readonly statistics: StatisticsRecorder;
}

/** A model version held for one request; `release` lets an unload proceed once all are released. */
export interface ModelLease {
  readonly served: ServedVersion;
  release(): void;
}

export interface ModelRegistry {
  readonly controlMode: ControlMode;
  /** Loads the start-up models and starts polling; resolves when the first load has settled. */
  start(): Promise<void>;
  ready(): boolean;
  /** Throws not_found for an unknown model or version and unavailable for one not ready. */
  acquire(ref: ModelRef): ModelLease;
  /** The ready version a ref selects, without holding it; undefined when there is none. */
  peek(ref: ModelRef): ServedVersion | undefined;
  readyVersions(name: string): string[];
  index(): RepositoryIndexEntry[];
  /**
   * Loads or reloads a model; versions that load keep serving until their replacements are ready.
   * `override` replaces config keys for this load only (Triton's load with a `config` parameter).
   */
  load(name: string, override?: ModelConfigOverride): Promise<void>;
  unload(name: string): Promise<void>;
  served(): ServedVersion[];
  /** Stops polling and unloads every model once its in-flight requests end. */
  close(): Promise<void>;
}

interface VersionSlot {
  readonly version: string;
  state: ModelState;
  reason: string;
  readonly served: ServedVersion | undefined;
  inflight: number;
  onIdle: (() => void) | undefined;
}

interface ModelEntry {
  readonly name: string;
  definition: ModelDefinition | undefined;
  slots: Map<string, VersionSlot>;
  /** Whether the model should be loaded: drives server readiness. */
  wanted: boolean;
  /** Why the last load failed before any version could be tried (e.g. a bad config). */
  failure: string | undefined;
  /** Loads and unloads of one model run one after another; other models are not held up. */
  queue: Promise<void>;
}

export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  const { source, controlMode } = options;
  const models = new Map<string, ModelEntry>();
  let known = new Set<string>();
  let started = false;
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  const entryOf = (name: string): ModelEntry => {
    let entry = models.get(name);
    if (entry === undefined) {
      entry = {
        name,
        definition: undefined,
        slots: new Map(),
        wanted: false,
        failure: undefined,
        queue: Promise.resolve(),
      };
      models.set(name, entry);
    }
    return entry;
  };

  const serialize = (entry: ModelEntry, task: () => Promise<void>): Promise<void> => {
    const run = entry.queue.then(task);
    entry.queue = run.catch(() => {});
    return run;
  };

  const select = (ref: ModelRef): VersionSlot => {
    const entry = models.get(ref.name);
    if (entry === undefined || (entry.slots.size === 0 && !entry.wanted)) {
      throw new TensorwireError("not_found", `Request for unknown model: '${ref.name}' is not found`);
    }
    if (ref.version !== undefined && ref.version !== "") {
      if (!/^[0-9]+$/.test(ref.version)) {
        // Triton's words for a version that is not a number.
        throw new TensorwireError(
          "invalid_argument",
          `failed to get model version from specified version string '${ref.version}'`,
        );
      }
      const slot = entry.slots.get(ref.version);
      if (slot === undefined) {
        throw new TensorwireError(
          "not_found",
          `Request for unknown model: '${ref.name}' version ${ref.version} is not found`,
        );
      }
      if (slot.state !== "READY") {
        throw new TensorwireError(
          "unavailable",
          `'${ref.name}' version ${ref.version} is not at ready state`,
        );
      }
      return slot;
    }
    const ready = [...entry.slots.values()].filter((slot) => slot.state === "READY");
    const latest = ready.sort((a, b) => Number(b.version) - Number(a.version))[0];
    if (latest === undefined) {
      const reason = [entry.failure, ...[...entry.slots.values()].map((slot) => slot.reason)].find(
        (r) => r !== undefined && r !== "",
      );
      throw new TensorwireError(
        "unavailable",
        `'${ref.name}' has no available versions${reason === undefined ? "" : `: ${reason}`}`,
      );
    }
    return latest;
  };

  const drain = (slot: VersionSlot): Promise<void> =>
    slot.inflight === 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          slot.onIdle = resolve;
        });

  const retire = async (slot: VersionSlot, reason: string): Promise<void> => {
    if (slot.served === undefined) {
      return;
    }
    slot.state = "UNLOADING";
    slot.reason = "";
    await drain(slot);
    await slot.served.runtime.unload();
    slot.state = "UNAVAILABLE";
    slot.reason = reason;
  };

  const loadNow = async (entry: ModelEntry, override?: ModelConfigOverride): Promise<void> => {
    let definition: ModelDefinition;
    try {
      definition = await source.resolve(entry.name);
      if (override !== undefined) {
        definition = { ...definition, config: { ...definition.config, ...override } };
      }
    } catch (err) {
      if (TensorwireError.from(err).code !== "not_found") {
        entry.wanted = true;
        entry.failure = TensorwireError.from(err).message;
      }
      throw err;
    }
    entry.definition = definition;
    entry.wanted = true;
    entry.failure = undefined;
    const chosen = applyVersionPolicy(definition.config.versionPolicy, [...definition.versions.keys()]);
    if (chosen.length === 0) {
      throw new TensorwireError(
        "invalid_argument",
        `failed to load '${entry.name}': no version is available under its version policy`,
      );
    }
    const previous = entry.slots;
    for (const version of chosen) {
      if (previous.get(version)?.state !== "READY") {
        previous.set(version, emptySlot(version, "LOADING", ""));
      }
    }
    const results = await Promise.allSettled(chosen.map((version) => loadVersion(definition, version)));
    const next = new Map<string, VersionSlot>();
    const failures: TensorwireError[] = [];
    results.forEach((result, i) => {
      const version = chosen[i] as string;
      if (result.status === "fulfilled") {
        next.set(version, { ...emptySlot(version, "READY", ""), served: result.value });
        return;
      }
      const error = TensorwireError.from(result.reason);
      failures.push(
        new TensorwireError(
          error.code,
          `failed to load '${entry.name}' version ${version}: ${error.message}`,
        ),
      );
      const old = previous.get(version);
      next.set(version, old?.state === "READY" ? old : emptySlot(version, "UNAVAILABLE", error.message));
    });
    entry.slots = next;
    const replaced = [...previous.values()].filter((slot) => next.get(slot.version) !== slot);
    await Promise.all(replaced.map((slot) => retire(slot, "unloaded")));
    const failure = failures[0];
    if (failure !== undefined) {
      throw failure;
    }
  };

  const loadVersion = async (definition: ModelDefinition, version: string): Promise<ServedVersion> => {
    const spec = definition.versions.get(version);
    if (spec === undefined) {
      throw new TensorwireError("not_found", `version ${version} does not exist`);
    }
    const runtime = createRuntime(spec, definition.modifiers);
    await runtime.load();
    const binding = bindModel(definition.config, runtime.metadata());
    if (!binding.ok) {
      await runtime.unload();
      throw new TensorwireError("invalid_argument", binding.error);
    }
    return {
      name: definition.name,
      version,
      runtime,
      binding: binding.value,
      statistics: createStatisticsRecorder(),
    };
  };

  const unloadNow = async (entry: ModelEntry): Promise<void> => {
    entry.wanted = false;
    await Promise.all([...entry.slots.values()].map((slot) => retire(slot, "unloaded")));
  };

  const refreshKnown = async (): Promise<ReadonlyMap<string, string>> => {
    const scanned = await source.scan();
    known = new Set(scanned.keys());
    return scanned;
  };

  const loadSettled = (names: Iterable<string>): Promise<void> =>
    // A model that fails to load is reported by its state and reason, and keeps the server unready;
    // it must not stop the other models from loading.
    Promise.allSettled([...names].map((name) => registry.load(name))).then(() => {});

  const pollOnce = async (): Promise<void> => {
    const scanned = await refreshKnown();
    const changed = [...scanned].filter(([name, fingerprint]) => {
      const entry = models.get(name);
      return entry === undefined || !entry.wanted || entry.definition?.fingerprint !== fingerprint;
    });
    const removed = [...models.keys()].filter((name) => !scanned.has(name));
    await Promise.allSettled([
      loadSettled(changed.map(([name]) => name)),
      ...removed.map(async (name) => {
        const entry = models.get(name);
        if (entry !== undefined) {
          await serialize(entry, () => unloadNow(entry));
          models.delete(name);
        }
      }),
    ]);
  };

  const registry: ModelRegistry = {
    controlMode,
    async start() {
      const scanned = await refreshKnown();
      const startup =
        controlMode === "explicit" && !options.startupModels.includes("*")
          ? options.startupModels
          : scanned.keys();
      await loadSettled(startup);
      started = true;
      if (controlMode === "poll") {
        timer = setInterval(() => {
          // Scans never overlap: a slow load simply delays the next scan.
          polling ??= pollOnce()
            .catch(() => {})
            .finally(() => {
              polling = undefined;
            });
        }, options.pollIntervalMs);
        timer.unref();
      }
    },
    ready() {
      return started && !closing && [...models.values()].every((e) => !e.wanted || hasReady(e));
    },
    acquire(ref) {
      const slot = select(ref);
      const served = slot.served as ServedVersion;
      slot.inflight += 1;
      let released = false;
      return {
        served,
        release() {
          if (released) {
            return;
          }
          released = true;
          slot.inflight -= 1;
          if (slot.inflight === 0) {
            slot.onIdle?.();
          }
        },
      };
    },
    peek(ref) {
      try {
        return select(ref).served;
      } catch {
        return undefined;
      }
    },
    readyVersions(name) {
      const entry = models.get(name);
      return entry === undefined
        ? []
        : [...entry.slots.values()]
            .filter((slot) => slot.state === "READY")
            .map((slot) => slot.version)
            .sort((a, b) => Number(a) - Number(b));
    },
    index() {
      const names = [...new Set([...known, ...models.keys()])].sort();
      return names.flatMap((name): RepositoryIndexEntry[] => {
        const slots = [...(models.get(name)?.slots.values() ?? [])].sort(
          (a, b) => Number(a.version) - Number(b.version),
        );
        const failure = models.get(name)?.failure;
        if (slots.length === 0) {
          return [
            failure === undefined
              ? { name, state: "UNKNOWN", reason: "not loaded" }
              : { name, state: "UNAVAILABLE", reason: failure },
          ];
        }
        return slots.map((slot) => ({ name, version: slot.version, state: slot.state, reason: slot.reason }));
      });
    },
    load(name, override) {
      if (closing) {
        return Promise.reject(new TensorwireError("unavailable", "the server is shutting down"));
      }
      const isNew = !models.has(name);
      const entry = entryOf(name);
      return serialize(entry, () => loadNow(entry, override)).catch(async (err: unknown) => {
        // A name the source never had leaves no trace in the index.
        if (isNew && !entry.wanted) {
          models.delete(name);
        }
        await refreshKnown().catch(() => {});
        throw err;
      });
    },
    async unload(name) {
      const entry = models.get(name);
      if (entry === undefined || !entry.wanted) {
        throw new TensorwireError("not_found", `failed to unload '${name}': the model is not loaded`);
      }
      await serialize(entry, () => unloadNow(entry));
    },
    served() {
      return [...models.values()].flatMap((entry) =>
        [...entry.slots.values()].flatMap((slot) =>
          slot.state === "READY" && slot.served ? [slot.served] : [],
        ),
      );
    },
    async close() {
      closing = true;
      clearInterval(timer);
      await polling;
      await Promise.allSettled([...models.values()].map((entry) => serialize(entry, () => unloadNow(entry))));
    },
  };
  return registry;
}

function emptySlot(version: string, state: ModelState, reason: string): VersionSlot {
  return { version, state, reason, served: undefined, inflight: 0, onIdle: undefined };
}

function hasReady(entry: ModelEntry): boolean {
  return [...entry.slots.values()].some((slot) => slot.state === "READY");
}

/** The versions a policy selects from those available, oldest first. */
export function applyVersionPolicy(policy: VersionPolicy, available: readonly string[]): string[] {
  const sorted = [...available].sort((a, b) => Number(a) - Number(b));
  switch (policy.kind) {
    case "all":
      return sorted;
    case "latest":
      return sorted.slice(-policy.count);
    case "specific":
      return sorted.filter((version) => policy.versions.some((v) => Number(v) === Number(version)));
  }
}
