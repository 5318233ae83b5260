import { expect, it } from 'vitest';
import { SeriesHistory } from './SeriesHistory.js';

it('keeps the last `capacity` samples oldest first, with null for missing values', () => {
  const history = new SeriesHistory(3);
  expect(history.latest()['http.requests_per_s']).toBeNull();
  for (let i = 1; i <= 5; i++) history.push(i * 1000, { 'http.requests_per_s': i, 'cache.hit_ratio': i % 2 === 0 ? null : 0.5 });
  const { t, series } = history.snapshot();
  expect(t).toEqual([3000, 4000, 5000]);
  expect(series['http.requests_per_s']).toEqual([3, 4, 5]);
  expect(series['cache.hit_ratio']).toEqual([0.5, null, 0.5]);
  expect(series['batch.dead_letters']).toEqual([null, null, null]);
  expect(history.latest()['http.requests_per_s']).toBe(5);
});
