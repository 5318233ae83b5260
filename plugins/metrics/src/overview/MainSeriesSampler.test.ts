import { expect, it } from 'vitest';
import type { MetricFamily, MetricsSnapshot } from '../contract.js';
import { MainSeriesSampler } from './MainSeriesSampler.js';

const boundaries = [0.01, 0.1, 1];
function http(counts200: number[], counts500: number[]): MetricFamily {
  const h = (counts: number[]) => ({ boundaries, counts, sum: 0, count: counts.reduce((a, b) => a + b, 0) });
  return {
    name: 'http.server.request.duration',
    prometheusName: 'http_server_request_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: '',
    points: [
      { attributes: { 'http.response.status_code': 200 }, histogram: h(counts200) },
      { attributes: { 'http.response.status_code': 503 }, histogram: h(counts500) },
    ],
  };
}
const counter = (name: string, value: number): MetricFamily => ({ name, prometheusName: name, kind: 'counter', unit: '', description: '', points: [{ attributes: {}, value }] });
const snapshot = (time: number, families: MetricFamily[]): MetricsSnapshot => ({ time, families });

it('turns cumulative snapshots into rates and quantiles over the interval, null where a source is absent', () => {
  let gc = 10;
  const sampler = new MainSeriesSampler({ eventLoopDelayP99Ms: () => 3, gcPauseMsTotal: () => gc, pool: () => ({ used: 2, pending: 1 }) });
  sampler.sample(snapshot(1000, [http([10, 0, 0, 0], [0, 0, 0, 0]), counter('plugboard.cache.hits', 5), counter('plugboard.cache.misses', 5)]));
  gc = 30;
  const v = sampler.sample(
    snapshot(3000, [http([10, 20, 0, 0], [0, 0, 4, 0]), counter('plugboard.cache.hits', 11), counter('plugboard.cache.misses', 7)]),
  );
  // 24 requests in 2 s, 4 of them 5xx; 20 of the new ones in (10ms, 100ms], 4 in (100ms, 1s].
  expect(v['http.requests_per_s']).toBe(12);
  expect(v['http.errors_per_s']).toBe(2);
  expect(v['http.latency_p50_ms']).toBeCloseTo(10 + 90 * (12 / 20));
  expect(v['http.latency_p99_ms']).toBeGreaterThan(100);
  expect(v['cache.hit_ratio']).toBe(6 / 8);
  expect(v['gc.pause_ms_per_s']).toBe(10);
  expect(v['db.pool.used']).toBe(2);
  expect(v['db.pool.pending']).toBe(1);
  expect(v['eventloop.delay_p99_ms']).toBe(3);
  expect(v['db.queries_per_s']).toBeNull();
  expect(v['batch.queue_depth']).toBeNull();
  expect(v['process.memory.rss_bytes']).toBeGreaterThan(0);
  expect(v['process.cpu_percent']).toBeTypeOf('number');
});

it('reads the batching plugin series under the names it records', () => {
  const sampler = new MainSeriesSampler({ eventLoopDelayP99Ms: () => 0, gcPauseMsTotal: () => 0, pool: () => undefined });
  const depth: MetricFamily = { name: 'plugboard.batch.queue_depth', prometheusName: '', kind: 'gauge', unit: '{row}', description: '', points: [{ attributes: {}, value: 7 }] };
  const flushes = (count: number): MetricFamily => ({
    name: 'plugboard.batch.flush.duration',
    prometheusName: '',
    kind: 'histogram',
    unit: 's',
    description: '',
    points: [{ attributes: {}, histogram: { boundaries: [0.1], counts: [count, 0], sum: count * 0.01, count } }],
  });
  sampler.sample(snapshot(0, [depth, flushes(1), counter('plugboard.batch.retries', 0), counter('plugboard.batch.dead_letters', 2)]));
  const v = sampler.sample(snapshot(1000, [depth, flushes(4), counter('plugboard.batch.retries', 2), counter('plugboard.batch.dead_letters', 2)]));
  expect(v['batch.queue_depth']).toBe(7);
  expect(v['batch.flushes_per_s']).toBe(3);
  expect(v['batch.retries_per_s']).toBe(2);
  expect(v['batch.dead_letters']).toBe(2);
});
