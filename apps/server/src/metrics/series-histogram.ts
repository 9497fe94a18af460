import type { Histogram, LabelValues, Registry } from "prom-client";

/** One label set of a `SeriesHistogram`, found once and kept by the caller. */
export interface HistogramSeries {
  observe(value: number): void;
}

/** What a `SeriesHistogram` is: a prom-client histogram's name, help, labels and buckets. */
export interface SeriesHistogramConfig<T extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly T[];
  readonly buckets: readonly number[];
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
 * A histogram whose observations go through series, one per label set, kept in plain arrays.
 * prom-client's own `observe` validates and hashes the labels on every call, even through
 * `labels(...)`: about a microsecond each, and an inference makes several. A series makes an
 * observation a bucket search and three additions, and needs no prom-client at all: `register`
 * puts the histogram in a prom-client registry when one is first needed, and its scrapes export
 * the series in prom-client's own shape (buckets, `+Inf`, `_sum`, `_count`), so the text is what
 * a plain `Histogram` fed the same values writes.
 */
export class SeriesHistogram<T extends string> {
  readonly #config: SeriesHistogramConfig<T>;
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, SeriesState>();

  constructor(config: SeriesHistogramConfig<T>) {
    this.#config = config;
    this.#bounds = [...config.buckets].sort((a, b) => a - b);
  }

  /** The series of one label set, values in the order of `labelNames`. */
  series(...values: string[]): HistogramSeries {
    const key = values.join("\0");
    let state = this.#series.get(key);
    if (state === undefined) {
      const labels: LabelValues<string> = {};
      this.#config.labelNames.forEach((name, i) => {
        labels[name] = values[i] ?? "";
      });
      state = { labels, counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
      this.#series.set(key, state);
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

  /**
   * Adds the histogram to `registry`, as a prom-client `Histogram` whose scrapes (text and JSON)
   * export the series observed so far and later; resetting the registry's metrics forgets them.
   */
  register(prom: typeof import("prom-client"), registry: Registry): Histogram<T> {
    const { name, help, labelNames, buckets } = this.#config;
    const series = this.#series;
    const exported = () => this.#exported();
    // prom-client's constructor calls reset(): the series observed before registering must stay.
    let registered = false;
    const histogram = new (class extends prom.Histogram<T> {
      override reset(): void {
        super.reset();
        if (registered) {
          series.clear();
        }
      }

      /** What prom-client's registry reads to write the text format, and its `get()` too. */
      async getForPromString() {
        return exported();
      }
    })({ name, help, labelNames: [...labelNames], buckets: [...buckets], registers: [registry] });
    registered = true;
    return histogram;
  }

  /** The shape prom-client's own histogram produces, with the series' labels as its "shared" labels. */
  #exported() {
    const { name, help } = this.#config;
    const values: ExportedValue[] = [];
    for (const s of this.#series.values()) {
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
    return { name, help, type: "histogram", values, aggregator: "sum" };
  }
}
