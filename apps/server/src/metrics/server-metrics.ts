import { TensorwireError } from "@tensorwire/codec";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { InferEvent, InferObserver } from "../core/create-data-plane.js";
import type { RepositoryIndexEntry } from "../core/data-plane.js";
import type { NodeHandlerFn, NodeServerRequest, NodeServerResponse } from "../transport/node-types.js";

/**
 * Prometheus metrics (prom-client): per model and protocol, requests, failures by code and
 * latency; per model, batch sizes and queue time; the models by state; and Node's process
 * metrics. They count exactly what the statistics extension counts (every inference that reached
 * a model version), so `success + fail` there equals `requests_total` here.
 */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly observer: InferObserver;
  /** `handler` with `GET /metrics` answered first, in Prometheus' text format. */
  withEndpoint(handler: NodeHandlerFn): NodeHandlerFn;
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

export function createServerMetrics(deps: ServerMetricsDeps): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "tensorwire_" });
  const requests = new Counter({
    name: "tensorwire_inference_requests_total",
    help: "Inference requests that reached a model version, successful or not.",
    labelNames: ["model", "version", "protocol"] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: "tensorwire_inference_failures_total",
    help: "Inference requests that reached a model version and failed, by error code.",
    labelNames: ["model", "version", "protocol", "code"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "tensorwire_inference_duration_seconds",
    help: "Time from validation to response in the data plane, queueing included.",
    labelNames: ["model", "protocol"] as const,
    buckets: latencyBuckets,
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: "tensorwire_batch_size",
    help: "Dimension 0 of the run each successful request joined (the whole batch's with batching).",
    labelNames: ["model"] as const,
    buckets: batchBuckets,
    registers: [registry],
  });
  const queue = new Histogram({
    name: "tensorwire_queue_duration_seconds",
    help: "Time successful requests waited for a batch.",
    labelNames: ["model"] as const,
    buckets: latencyBuckets,
    registers: [registry],
  });
  new Gauge({
    name: "tensorwire_models",
    help: "Model versions by state (READY ones are loaded).",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of deps.models()) {
        this.inc({ state: entry.state });
      }
    },
  });

  // Label lookups hash their values on every call; the children are cached per label set instead.
  const children = new Map<string, (e: InferEvent) => void>();
  const childFor = (e: InferEvent) => {
    const key = `${e.model}\0${e.version}\0${e.protocol}`;
    let observe = children.get(key);
    if (observe === undefined) {
      const r = requests.labels(e.model, e.version, e.protocol);
      const l = latency.labels(e.model, e.protocol);
      const b = batchSize.labels(e.model);
      const q = queue.labels(e.model);
      observe = (event) => {
        r.inc();
        l.observe(event.totalNs / 1e9);
        if (event.error === undefined) {
          b.observe(event.batchSize);
          q.observe(event.queueNs / 1e9);
        } else {
          failures
            .labels(event.model, event.version, event.protocol, TensorwireError.from(event.error).code)
            .inc();
        }
      };
      children.set(key, observe);
    }
    return observe;
  };

  return {
    registry,
    observer: { inferred: (event) => childFor(event)(event) },
    withEndpoint(handler) {
      return (req: NodeServerRequest, res: NodeServerResponse) => {
        if (req.method === "GET" && (req.url === "/metrics" || req.url?.startsWith("/metrics?"))) {
          registry.metrics().then(
            (text) => {
              res.writeHead(200, { "content-type": registry.contentType });
              res.end(text);
            },
            (err: unknown) => {
              res.writeHead(500, { "content-type": "text/plain" });
              res.end(String(err));
            },
          );
          return;
        }
        handler(req, res);
      };
    },
  };
}
