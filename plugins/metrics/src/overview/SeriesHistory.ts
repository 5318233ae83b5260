/**
 * Fixed-size ring buffers of the main series: one Float64Array per series plus one of sample
 * times, allocated once, so an hour of history at one sample a second costs
 * (20 + 1) x 3600 x 8 bytes (about 600 KB) whatever happens. NaN stands for "no value".
 */
import { MAIN_SERIES, type MainSeriesName } from '../contract.js';

export class SeriesHistory {
  readonly #times: Float64Array;
  readonly #series: Map<MainSeriesName, Float64Array>;
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#times = new Float64Array(capacity);
    this.#series = new Map(MAIN_SERIES.map((name) => [name, new Float64Array(capacity).fill(NaN)]));
  }

  /**
   * Appends one sample of every series taken at `time` (ms); a missing or null value is stored as no value.
   *
   * @example
   * history.push(Date.now(), { 'http.requests_per_s': 12 });
   */
  push(time: number, values: Partial<Record<MainSeriesName, number | null>>): void {
    this.#times[this.#next] = time;
    for (const [name, buffer] of this.#series) {
      const value = values[name];
      buffer[this.#next] = value === null || value === undefined || !Number.isFinite(value) ? NaN : value;
    }
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.#size + 1, this.capacity);
  }

  /** The latest sample of each series, null when it had no value. */
  latest(): Record<MainSeriesName, number | null> {
    const at = (this.#next - 1 + this.capacity) % this.capacity;
    const out = {} as Record<MainSeriesName, number | null>;
    for (const [name, buffer] of this.#series) out[name] = this.#size === 0 ? null : nullable(buffer[at]!);
    return out;
  }

  /** Every kept sample, oldest first. */
  snapshot(): { t: number[]; series: Record<MainSeriesName, (number | null)[]> } {
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    const index = (i: number): number => (start + i) % this.capacity;
    const t = Array.from({ length: this.#size }, (_, i) => this.#times[index(i)]!);
    const series = {} as Record<MainSeriesName, (number | null)[]>;
    for (const [name, buffer] of this.#series) series[name] = Array.from({ length: this.#size }, (_, i) => nullable(buffer[index(i)]!));
    return { t, series };
  }

  get size(): number {
    return this.#size;
  }
}

function nullable(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}
