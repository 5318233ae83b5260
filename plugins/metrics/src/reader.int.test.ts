import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, startTestKernel, type TestDatabase, type TestKernel } from '@plugboard/core/testing';
import { definePlugin, startTimer } from '@plugboard/plugin-api';
import conversations from '@plugboard/plugin-conversations';
import { MAIN_SERIES, metricsReaderRef, type MetricsOverview } from './contract.js';
import metrics from './plugin.js';

/** A third-party plugin that records through ctx.meter and the collector API, with no wiring to metrics. */
const shop = definePlugin({
  name: 'shop',
  version: '1.0.0',
  core: '^0.1.0',
  setup(ctx) {
    const sold = ctx.meter.createCounter('shop.items.sold', { unit: '{item}' });
    ctx.http.post('/api/shop/sell', (c) => {
      using _t = startTimer('shop.sale.duration', { 'shop.channel': 'web' });
      sold.add(2, { 'shop.item': 'book' });
      return c.json({ ok: true });
    });
  },
});

let db: TestDatabase;
let kernel: TestKernel;

beforeAll(async () => {
  db = await createTestDatabase();
  // shop starts before metrics: its counter, made in its setup, must follow the SDK installed later.
  kernel = await startTestKernel({
    plugins: [shop, conversations, metrics],
    database: db,
    config: { metrics: { history: { interval: '100ms', length: '1s' }, system: { enabled: false } } },
  });
});
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
});

it('collect() gives every instrument, cumulative, each with its Prometheus name; app metrics appear with no wiring', async () => {
  expect((await kernel.fetch('/api/shop/sell', { method: 'POST' })).status).toBe(200);
  expect((await kernel.fetch('/api/shop/sell', { method: 'POST' })).status).toBe(200);
  expect((await kernel.fetch('/api/users/77')).status).toBe(404);
  const reader = kernel.get(metricsReaderRef);
  const snapshot = await reader.collect();
  const byName = new Map(snapshot.families.map((f) => [f.name, f]));

  expect(byName.get('shop.items.sold')).toMatchObject({
    kind: 'counter',
    prometheusName: 'shop_items_sold_total',
    unit: '{item}',
    points: [{ attributes: { 'shop.item': 'book' }, value: 4 }],
  });
  const sale = byName.get('shop.sale.duration')!;
  expect(sale).toMatchObject({ kind: 'histogram', prometheusName: 'shop_sale_duration_seconds', unit: 's' });
  expect(sale.points[0]).toMatchObject({ attributes: { 'shop.channel': 'web' }, histogram: { count: 2 } });
  const http = byName.get('http.server.request.duration')!;
  expect(http.prometheusName).toBe('http_server_request_duration_seconds');
  const point = http.points.find((p) => p.attributes['http.route'] === '/api/users/:id')!;
  expect(point.histogram!.boundaries.length + 1).toBe(point.histogram!.counts.length);
  expect(point.histogram!.count).toBe(1);
  expect(byName.get('db.client.operation.duration')?.kind).toBe('histogram');
  expect(byName.get('plugboard.plugins')?.kind).toBe('updowncounter');
  // Cumulative: a second collection still holds the first requests.
  const again = await reader.collect();
  expect(again.families.find((f) => f.name === 'shop.items.sold')!.points[0]!.value).toBe(4);
});

it('overview() holds the main series sampled into a bounded history, null where the source is absent, and the routes', async () => {
  const reader = kernel.get(metricsReaderRef);
  for (let i = 0; i < 5; i++) expect((await kernel.fetch('/api/users/78')).status).toBe(404);
  let overview: MetricsOverview = reader.overview();
  for (let i = 0; i < 100 && overview.history.t.length < 12; i++) {
    await new Promise((r) => setTimeout(r, 50));
    overview = reader.overview();
  }
  expect(overview.intervalMs).toBe(100);
  // 1s of history at 100ms: never more than 10 samples.
  expect(overview.history.t).toHaveLength(10);
  for (const name of MAIN_SERIES) expect(overview.history.series[name]).toHaveLength(10);
  expect(Object.keys(overview.current).sort()).toEqual([...MAIN_SERIES].sort());
  expect(overview.current['process.memory.rss_bytes']).toBeGreaterThan(0);
  expect(overview.current['db.pool.used']).toBeTypeOf('number');
  expect(overview.current['http.requests_per_s']).toBeTypeOf('number');
  // No batching plugin, system metrics off: their series have no source.
  expect(overview.current['batch.queue_depth']).toBeNull();
  expect(overview.current['eventloop.delay_p99_ms']).toBeNull();
  expect(overview.current['system.memory.used_bytes']).toBeNull();
  const route = overview.slowestRoutes.find((r) => r.route === '/api/users/:id')!;
  expect(route).toMatchObject({ method: 'GET', plugin: 'conversations', errors: 0 });
  expect(route.requests).toBeGreaterThanOrEqual(6);
  expect(route.p95Ms).toBeGreaterThan(0);

  const res = await kernel.fetch('/api/metrics');
  expect(res.status).toBe(200);
  expect(Object.keys(((await res.json()) as MetricsOverview).current)).toHaveLength(MAIN_SERIES.length);
});
