import fc from "fast-check";
import * as prom from "prom-client";
import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { SeriesHistogram } from "./series-histogram.js";

const buckets = [0.001, 0.01, 0.1, 1, 10];
const arbObservations = fc.array(
  fc.tuple(
    fc.constantFrom("iris", "tfsimple", 'we"ird\\name'),
    fc.constantFrom("rest", "grpc"),
    fc.oneof(fc.double({ min: 0, max: 20, noNaN: true }), fc.constantFrom(...buckets)),
  ),
  { maxLength: 50 },
);

function pair() {
  const plain = new Registry();
  const series = new Registry();
  const config = { name: "latency_seconds", help: "Latency.", labelNames: ["model", "protocol"], buckets };
  const seriesHistogram = new SeriesHistogram(config);
  seriesHistogram.register(prom, series);
  return {
    plain: new Histogram({ ...config, registers: [plain] }),
    series: seriesHistogram,
    registries: { plain, series },
  };
}

/** prom-client's histogram writes `exemplar: null` on every value even with exemplars off. */
function withoutExemplars(metrics: Awaited<ReturnType<Registry["getMetricsAsJSON"]>>) {
  return metrics.map((m) => ({
    ...m,
    values: m.values.map((value) => {
      const { exemplar: _, ...rest } = value as typeof value & { exemplar?: unknown };
      return rest;
    }),
  }));
}

describe("SeriesHistogram", () => {
  it("should export the same text and JSON as a prom-client Histogram fed the same values", async () => {
    await fc.assert(
      fc.asyncProperty(arbObservations, async (observations) => {
        const { plain, series, registries } = pair();
        for (const [model, protocol, value] of observations) {
          plain.labels(model, protocol).observe(value);
          series.series(model, protocol).observe(value);
        }
        expect(await registries.series.metrics()).toBe(await registries.plain.metrics());
        expect(await registries.series.getMetricsAsJSON()).toEqual(
          withoutExemplars(await registries.plain.getMetricsAsJSON()),
        );
      }),
    );
  });

  it("should export what it observed before it was registered", async () => {
    const histogram = new SeriesHistogram({ name: "early", help: "Early.", labelNames: ["model"], buckets });
    histogram.series("iris").observe(0.5);
    const registry = new Registry();
    histogram.register(prom, registry);
    expect(await registry.metrics()).toContain('early_count{model="iris"} 1');
  });

  it("should forget its series on reset", async () => {
    const { series, registries } = pair();
    series.series("iris", "rest").observe(0.5);
    registries.series.resetMetrics();
    expect(await registries.series.metrics()).not.toContain("iris");
  });
});
