import { describe, expect, it } from 'vitest';
import { History } from '../engine/History.js';
import { histogram, snapshotOf } from '../__fixtures__/snapshots.js';
import { evaluate, extrapolatedIncrease, quantileOf } from './evaluate.js';
import { parseExpr } from './parse.js';

const MIN = 60_000;

function historyOf(steps: number, build: (step: number) => ReturnType<typeof snapshotOf>): History {
  const h = new History(60 * MIN);
  for (let i = 0; i <= steps; i++) h.add(i * MIN, build(i), new Set(build(i).families.map((f) => f.name)));
  return h;
}

describe('evaluate', () => {
  it('rates a counter per series as Prometheus does, and sums by a label', () => {
    const h = historyOf(10, (i) =>
      snapshotOf(0, [
        {
          name: 'req',
          kind: 'counter',
          points: [
            { attributes: { route: '/a', code: 200 }, value: 60 * i },
            { attributes: { route: '/a', code: 500 }, value: 120 * i },
            { attributes: { route: '/b', code: 200 }, value: 30 * i },
          ],
        },
      ]),
    );
    const value = evaluate(parseExpr('sum by (route) (rate(req[5m]))'), h);
    expect(value).toEqual({
      type: 'vector',
      series: [
        { labels: { route: '/a' }, value: 3 },
        { labels: { route: '/b' }, value: 0.5 },
      ],
    });
    expect(evaluate(parseExpr('rate(req{code="500"}[5m]) * 60'), h)).toEqual({ type: 'vector', series: [{ labels: { route: '/a', code: '500' }, value: 120 }] });
  });

  it('extrapolates like Prometheus: a young counter rates over the whole window, a reset is counted', () => {
    // 2 samples a minute apart, counter from 0: Prometheus gives 60 / 300 s, not 60 / 60 s.
    expect(extrapolatedIncrease([{ t: 0, v: 0 }, { t: MIN, v: 60 }], MIN, 5 * MIN, true)).toBeCloseTo(0.2, 10);
    expect(extrapolatedIncrease([{ t: 0, v: 10 }, { t: MIN, v: 40 }, { t: 2 * MIN, v: 5 }], 2 * MIN, 2 * MIN, false)).toBeCloseTo(35, 10);
    expect(extrapolatedIncrease([{ t: 0, v: 1 }], 0, MIN, true)).toBeUndefined();
  });

  it('gives histogram_quantile by interpolating in the bucket, and histogram_count the count rate', () => {
    const h = historyOf(6, (i) =>
      snapshotOf(0, [{ name: 'lat', kind: 'histogram', unit: 's', points: [{ attributes: { op: 'SELECT' }, histogram: histogram([0.1, 0.5, 1], [10 * i, 0, 10 * i, 0], i) }] }]),
    );
    const q = evaluate(parseExpr('histogram_quantile(0.95, sum by (op) (rate(lat[5m])))'), h);
    expect(q.type).toBe('vector');
    // rank 0.95 * 20 = 19 -> 9 of the 10 in (0.5, 1]: 0.5 + 0.5 * 0.9
    expect(q.type === 'vector' && q.series[0]!.value).toBeCloseTo(0.95, 10);
    const count = evaluate(parseExpr('histogram_count(rate(lat[5m]))'), h);
    expect(count.type === 'vector' && count.series[0]!.value).toBeCloseTo(20 / 60, 10);
  });

  it('divides matching series and gives NaN for 0/0', () => {
    const h = historyOf(6, (i) => snapshotOf(0, [{ name: 'hits', kind: 'counter', points: [{ value: 30 * i }] }, { name: 'misses', kind: 'counter', points: [{ value: 90 * i }] }]));
    const ratio = evaluate(parseExpr('sum(rate(hits[5m])) / (sum(rate(hits[5m])) + sum(rate(misses[5m])))'), h);
    expect(ratio).toEqual({ type: 'vector', series: [{ labels: {}, value: 0.25 }] });
    const idle = historyOf(6, () => snapshotOf(0, [{ name: 'hits', kind: 'counter', points: [{ value: 5 }] }]));
    const none = evaluate(parseExpr('sum(rate(hits[5m])) / sum(rate(hits[5m]))'), idle);
    expect(none.type === 'vector' && Number.isNaN(none.series[0]!.value)).toBe(true);
  });

  it('throws MissingMetricError for a metric nothing records', () => {
    const h = historyOf(1, () => snapshotOf(0, [{ name: 'a', kind: 'gauge', points: [{ value: 1 }] }]));
    expect(() => evaluate(parseExpr('b'), h)).toThrow("metric 'b' is not recorded");
  });

  it('quantileOf follows Prometheus at the edges', () => {
    expect(quantileOf(0.5, [1, 2], [0, 0, 0])).toBeNaN();
    expect(quantileOf(0.99, [1, 2], [0, 0, 10])).toBe(2);
    expect(quantileOf(0.5, [1, 2], [10, 0, 0])).toBe(0.5);
  });
});
