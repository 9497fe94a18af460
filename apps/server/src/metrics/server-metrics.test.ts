import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../server/start-server.js";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ logLevel: "silent" });
});
afterAll(() => server.close());

const infer = (model: string, body: unknown) =>
  fetch(`${server.url}/v2/models/${model}/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** The value of one sample line of the Prometheus text format, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) && wanted.every((l) => line.includes(l))) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return 0;
}

describe("GET /metrics", () => {
  it("should count requests, failures, latency and batch sizes per model and protocol, as statistics do", async () => {
    const ok = {
      inputs: [{ name: "predict", shape: [2, 4], datatype: "FP32", data: [5.1, 3.5, 1.4, 0.2, 6, 3, 4, 1] }],
    };
    for (let i = 0; i < 3; i++) {
      expect((await infer("iris", ok)).status).toBe(200);
    }
    const bad = { inputs: [{ name: "predict", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }] };
    expect((await infer("iris", bad)).status).toBe(400);

    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    const labels = { model: "iris", protocol: "rest" };
    expect(sample(text, "tensorwire_inference_requests_total", labels)).toBe(4);
    expect(sample(text, "tensorwire_inference_failures_total", { ...labels, code: "invalid_argument" })).toBe(
      1,
    );
    expect(sample(text, "tensorwire_inference_duration_seconds_count", labels)).toBe(4);
    expect(sample(text, "tensorwire_batch_size_sum", { model: "iris" })).toBe(6);
    expect(sample(text, "tensorwire_queue_duration_seconds_count", { model: "iris" })).toBe(3);
    expect(sample(text, "tensorwire_models", { state: "READY" })).toBeGreaterThan(10);
    expect(text).toContain("tensorwire_process_resident_memory_bytes");

    const stats = (await (await fetch(`${server.url}/v2/models/iris/stats`)).json()) as {
      model_stats: { inference_stats: Record<"success" | "fail" | "queue", { count: number }> }[];
    };
    const inference = stats.model_stats[0]?.inference_stats ?? {
      success: { count: -1 },
      fail: { count: -1 },
      queue: { count: -1 },
    };
    expect(inference.success.count + inference.fail.count).toBe(4);
    expect(inference.success.count).toBe(
      4 - sample(text, "tensorwire_inference_failures_total", { ...labels, code: "invalid_argument" }),
    );
    expect(inference.queue.count).toBe(
      sample(text, "tensorwire_queue_duration_seconds_count", { model: "iris" }),
    );
  });
});
