import { Histogram, type HistogramConfiguration, type LabelValues } from "prom-client";

/** One label set of a `SeriesHistogram`, found once and kept by the caller. */
export interface HistogramSeries {
  observe(value: number): void;
}

interface ExportedValue {
  readonly metricName: string;
  readonly labels: LabelValues<string>;
  readonly sharedLabels: LabelValues<string>;
  readonly value: number;
}

interface SeriesState {
  readonly labels: LabelValues<string>;
  /** Per bucket, not cumulative; the last slot counts values above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A prom-client histogram whose observations go through series, one per label set. prom-client's
 * own `observe` validates and hashes the labels on every call, even through `labels(...)`: about a
 * microsecond each, and an inference makes several. A series makes an observation a bucket search
 * and three additions; scrapes export the series in prom-client's own shape (buckets, `+Inf`,
 * `_sum`, `_count`), so the text is what a plain `Histogram` fed the same values writes.
 */
export class SeriesHistogram<T extends string> extends Histogram<T> {
  readonly #config: HistogramConfiguration<T>;
  readonly #bounds: readonly number[];
  // Not a #private field: prom-client's constructor calls reset() before subclass fields exist.
  private readonly seriesByKey = new Map<string, SeriesState>();

  constructor(config: HistogramConfiguration<T> & { readonly buckets: number[] }) {
    super(config);
    this.#config = config;
    this.#bounds = [...config.buckets].sort((a, b) => a - b);
  }

  /** The series of one label set, values in the order of `labelNames`. */
  series(...values: string[]): HistogramSeries {
    const key = values.join("\0");
    let state = this.seriesByKey.get(key);
    if (state === undefined) {
      const labels: LabelValues<string> = {};
      (this.#config.labelNames ?? []).forEach((name, i) => {
        labels[name] = values[i] ?? "";
      });
      state = { labels, counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
      this.seriesByKey.set(key, state);
    }
    const bounds = this.#bounds;
    const series = state;
    return {
      observe(value) {
        let i = 0;
        while (i < bounds.length && value > (bounds[i] as number)) {
          i++;
        }
        series.counts[i] = (series.counts[i] as number) + 1;
        series.sum += value;
        series.count += 1;
      },
    };
  }

  override reset(): void {
    super.reset();
    this.seriesByKey?.clear();
  }

  /**
   * What prom-client's registry reads to write the text format, and its `get()` too: the shape
   * prom-client's own histogram produces, with the series' labels as its "shared" labels.
   */
  async getForPromString() {
    const { name, help, aggregator = "sum" } = this.#config;
    const values: ExportedValue[] = [];
    for (const s of this.seriesByKey.values()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += s.counts[i] as number;
        values.push({
          metricName: `${name}_bucket`,
          labels: { le },
          sharedLabels: s.labels,
          value: cumulative,
        });
      });
      values.push(
        { metricName: `${name}_bucket`, labels: { le: "+Inf" }, sharedLabels: s.labels, value: s.count },
        { metricName: `${name}_sum`, labels: {}, sharedLabels: s.labels, value: s.sum },
        { metricName: `${name}_count`, labels: {}, sharedLabels: s.labels, value: s.count },
      );
    }
    return { name, help, type: "histogram", values, aggregator };
  }
}
