import { expect, it } from 'vitest';
import { mergeHistograms, quantile, subtractHistogram } from './quantile.js';

const h = (counts: number[], boundaries = [0.1, 0.5, 1]) => ({ boundaries, counts, sum: 0, count: counts.reduce((a, b) => a + b, 0) });

it('interpolates inside the bucket that holds the rank, as histogram_quantile does', () => {
  expect(quantile(h([10, 0, 0, 0]), 0.5)).toBeCloseTo(0.05);
  expect(quantile(h([0, 10, 0, 0]), 0.5)).toBeCloseTo(0.3);
  expect(quantile(h([5, 5, 0, 0]), 0.9)).toBeCloseTo(0.42);
  // A rank in +Inf answers the highest finite bound.
  expect(quantile(h([0, 0, 0, 4]), 0.99)).toBe(1);
  expect(quantile(h([0, 0, 0, 0]), 0.5)).toBeNaN();
});

it('merges and subtracts bucket by bucket; a reset (fewer observations than before) keeps the new value', () => {
  expect(mergeHistograms([h([1, 2, 0, 0]), h([0, 1, 1, 1])])).toEqual({ ...h([1, 3, 1, 1]), sum: 0 });
  expect(mergeHistograms([])).toBeUndefined();
  expect(subtractHistogram(h([3, 3, 1, 0]), h([1, 2, 0, 0])).counts).toEqual([2, 1, 1, 0]);
  expect(subtractHistogram(h([1, 0, 0, 0]), h([5, 0, 0, 0])).counts).toEqual([1, 0, 0, 0]);
});
