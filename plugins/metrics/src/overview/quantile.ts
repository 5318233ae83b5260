/**
 * Quantiles and differences of explicit-bucket histograms, as Prometheus's `histogram_quantile`
 * estimates them: linear interpolation inside the bucket that holds the rank.
 */
import type { HistogramValue } from '../contract.js';

/**
 * The `q` quantile (0..1) of `h`, in the histogram's unit; NaN when it holds no observation.
 * A rank in the +Inf bucket answers the highest finite bound.
 *
 * @example
 * quantile({ boundaries: [1, 2], counts: [0, 10, 0], sum: 15, count: 10 }, 0.5); // 1.5
 */
export function quantile(h: HistogramValue, q: number): number {
  if (h.count <= 0) return NaN;
  const rank = q * h.count;
  let cumulative = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const inBucket = h.counts[i] ?? 0;
    if (cumulative + inBucket >= rank && inBucket > 0) {
      if (i >= h.boundaries.length) return h.boundaries[h.boundaries.length - 1] ?? NaN;
      const lower = i === 0 ? 0 : h.boundaries[i - 1]!;
      const upper = h.boundaries[i]!;
      return lower + ((upper - lower) * (rank - cumulative)) / inBucket;
    }
    cumulative += inBucket;
  }
  return h.boundaries[h.boundaries.length - 1] ?? NaN;
}

/** Adds histograms of the same boundaries; undefined for none. Differing boundaries are skipped. */
export function mergeHistograms(histograms: readonly HistogramValue[]): HistogramValue | undefined {
  const first = histograms[0];
  if (first === undefined) return undefined;
  const counts = new Array<number>(first.counts.length).fill(0);
  let sum = 0;
  let count = 0;
  for (const h of histograms) {
    if (h.counts.length !== counts.length) continue;
    for (let i = 0; i < counts.length; i++) counts[i]! += h.counts[i] ?? 0;
    sum += h.sum;
    count += h.count;
  }
  return { boundaries: first.boundaries, counts, sum, count };
}

/** `now - before`, bucket by bucket: what was observed between two cumulative collections. */
export function subtractHistogram(now: HistogramValue, before: HistogramValue | undefined): HistogramValue {
  if (before === undefined || before.counts.length !== now.counts.length || before.count > now.count) return now;
  return {
    boundaries: now.boundaries,
    counts: now.counts.map((c, i) => c - (before.counts[i] ?? 0)),
    sum: now.sum - before.sum,
    count: now.count - before.count,
  };
}
