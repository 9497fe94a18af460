import { createRequire } from "node:module";
import { TensorwireError } from "@tensorwire/codec";
import type { Registry } from "prom-client";
import type { RepositoryIndexEntry } from "../core/data-plane.js";
import type { InferEvent, InferObserver } from "../core/infer-observer.js";
import type { RestDialect, RestRoute } from "../http/rest-router.js";
import { errorJson, sendBytes } from "../http/send-json.js";
import { SeriesHistogram } from "./series-histogram.js";

/**
 * Prometheus metrics (prom-client): per model and protocol, requests, failures by code and
 * latency; per model, batch sizes and queue time; the models by state; and Node's process
 * metrics. They count exactly what the statistics extension counts (every inference that reached
 * a model version), so `success + fail` there equals `requests_total` here.
 *
 * Inferences are counted in plain numbers from the start; prom-client (with its dependencies a
 * sixth of a start's import time) is loaded, and the registry built, at the first scrape or the
 * first read of `registry`. Node's default metrics start then too: the GC and event-loop-delay
 * histograms count from that moment.
 */
export interface ServerMetrics {
  /** Built when first read (see above). */
  readonly registry: Registry;
  readonly observer: InferObserver;
  /** `GET /metrics` in Prometheus' text format, a route of the one REST router. */
  readonly endpoint: RestDialect;
}

export interface ServerMetricsDeps {
  /** The repository index, read at each scrape for the model-state gauge. */
  readonly models: () => readonly RepositoryIndexEntry[];
}

/** Seconds; spans an in-thread tiny model (~20 µs) to a slow large one. */
const latencyBuckets = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];
const batchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];

const require = createRequire(import.meta.url);

export function createServerMetrics(deps: ServerMetricsDeps): ServerMetrics {
  // Counted in plain numbers per label set and handed to prom-client at each scrape: its own
  // inc() validates and hashes the labels on every call.
  const requestCounts = new Map<string, { labels: Record<string, string>; count: number }>();
  const failureCounts = new Map<string, { labels: Record<string, string>; count: number }>();
  const countInto = (counts: typeof requestCounts, labels: Record<string, string>) => {
    const key = Object.values(labels).join("\0");
    let entry = counts.get(key);
    if (entry === undefined) {
      entry = { labels, count: 0 };
      counts.set(key, entry);
    }
    return entry;
  };
  const latency = new SeriesHistogram({
    name: "tensorwire_inference_duration_seconds",
    help: "Time from validation to response in the data plane, queueing included.",
    labelNames: ["model", "protocol"] as const,
    buckets: latencyBuckets,
  });
  const batchSize = new SeriesHistogram({
    name: "tensorwire_batch_size",
    help: "Dimension 0 of the run each successful request joined (the whole batch's with batching).",
    labelNames: ["model"] as const,
    buckets: batchBuckets,
  });
  const queue = new SeriesHistogram({
    name: "tensorwire_queue_duration_seconds",
    help: "Time successful requests waited for a batch.",
    labelNames: ["model"] as const,
    buckets: latencyBuckets,
  });
  let registry: Registry | undefined;
  const getRegistry = (): Registry => {
    if (registry !== undefined) {
      return registry;
    }
    // Synchronous, so that `registry` can be a property: prom-client is a CommonJS package.
    const prom = require("prom-client") as typeof import("prom-client");
    const r = new prom.Registry();
    prom.collectDefaultMetrics({ register: r, prefix: "tensorwire_" });
    new prom.Counter({
      name: "tensorwire_inference_requests_total",
      help: "Inference requests that reached a model version, successful or not.",
      labelNames: ["model", "version", "protocol"] as const,
      registers: [r],
      collect() {
        this.reset();
        for (const { labels, count } of requestCounts.values()) {
          this.inc(labels, count);
        }
      },
    });
    new prom.Counter({
      name: "tensorwire_inference_failures_total",
      help: "Inference requests that reached a model version and failed, by error code.",
      labelNames: ["model", "version", "protocol", "code"] as const,
      registers: [r],
      collect() {
        this.reset();
        for (const { labels, count } of failureCounts.values()) {
          this.inc(labels, count);
        }
      },
    });
    latency.register(prom, r);
    batchSize.register(prom, r);
    queue.register(prom, r);
    new prom.Gauge({
      name: "tensorwire_models",
      help: "Model versions by state (READY ones are loaded).",
      labelNames: ["state"] as const,
      registers: [r],
      collect() {
        this.reset();
        for (const entry of deps.models()) {
          this.inc({ state: entry.state });
        }
      },
    });
    registry = r;
    return r;
  };

  // One recorder per label set, found by a string key rather than by prom-client's label hashing.
  const recorders = new Map<string, (e: InferEvent) => void>();
  const recorderFor = (e: InferEvent) => {
    const key = `${e.model}\0${e.version}\0${e.protocol}`;
    let record = recorders.get(key);
    if (record === undefined) {
      const requests = countInto(requestCounts, { model: e.model, version: e.version, protocol: e.protocol });
      const l = latency.series(e.model, e.protocol);
      const b = batchSize.series(e.model);
      const q = queue.series(e.model);
      record = (event) => {
        requests.count += 1;
        l.observe(event.totalNs / 1e9);
        if (event.error === undefined) {
          b.observe(event.batchSize);
          q.observe(event.queueNs / 1e9);
        } else {
          const code = TensorwireError.from(event.error).code;
          countInto(failureCounts, {
            model: event.model,
            version: event.version,
            protocol: event.protocol,
            code,
          }).count += 1;
        }
      };
      recorders.set(key, record);
    }
    return record;
  };

  return {
    get registry() {
      return getRegistry();
    },
    observer: { inferred: (event) => recorderFor(event)(event) },
    endpoint: metricsEndpoint(getRegistry),
  };
}

function metricsEndpoint(getRegistry: () => Registry): RestDialect {
  const route: RestRoute = {
    methods: ["GET"],
    // It names every model and its traffic: public only with `--metrics-public`.
    metrics: true,
    run: async (call) => {
      call.req.resume();
      const registry = getRegistry();
      sendBytes(call, 200, Buffer.from(await registry.metrics()), registry.contentType);
    },
  };
  return {
    match: (path) => (path.length === 2 && path[1] === "metrics" ? route : undefined),
    error: errorJson,
    paths: ["/metrics"],
  };
}
