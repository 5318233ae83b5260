import { MeterProvider, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { TestMetricReader } from '../telemetry/__fixtures__/TestMetricReader.js';
import { installMeterProvider } from '@plugboard/plugin-api';
import { createHttpApp } from './createHttpApp.js';
import { HTTP_DURATION_BUCKETS } from './requestMetrics.js';
import { fakeKernel, pluginApp } from './testHarness.js';

const logger = pino({ level: 'silent' });
const TOKEN = 'secret-token';

function hostApp() {
  const kernel = fakeKernel({
    tasks: () => {
      throw new Error('scheduler gone');
    },
  });
  kernel.routesList.push(
    pluginApp('catalog', (app) => {
      app.get('/api/items/:id', (c) => c.json({ id: c.req.param('id') }));
      app.post('/api/items', (c) => c.json({ created: true }, 201));
      app.get('/api/boom', () => {
        throw new Error('catalog broke');
      });
    }),
  );
  return createHttpApp({ kernel, logger, bodyLimit: 16, adminToken: TOKEN });
}

function sdk(): TestMetricReader {
  const reader = new TestMetricReader();
  installMeterProvider(new MeterProvider({ readers: [reader] }));
  return reader;
}

/** The request duration points as [attributes, count], in the order their series first appeared. */
async function requests(reader: TestMetricReader): Promise<[Record<string, unknown>, number][]> {
  return (await reader.points())
    .filter((p) => p.scope === 'plugboard.http' && p.name === 'http.server.request.duration')
    .map((p) => [p.attributes, (p.value as { count: number }).count]);
}

const base = (method: string, status: number) => ({
  'http.request.method': method,
  'http.response.status_code': status,
  'url.scheme': 'http',
});

afterEach(() => {
  installMeterProvider(undefined);
});

describe('http.server.request.duration', () => {
  test('is recorded per request with method, status, scheme, and the route pattern of host routes', async () => {
    const reader = sdk();
    const app = hostApp();
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/admin/plugins/alpha/enable', { method: 'POST', headers: auth })).status).toBe(200);
    expect((await app.request('/admin/plugins/beta/enable', { method: 'POST', headers: auth })).status).toBe(200);
    expect((await app.request('/admin/tasks', { headers: auth })).status).toBe(500);
    expect((await app.request('/no/such/page')).status).toBe(404);
    expect((await app.request('/no/such/page', { method: 'PROPFIND' })).status).toBe(404);
    expect((await app.request('/admin/plugins/alpha/enable', { method: 'POST', body: 'x'.repeat(64) })).status).toBe(413);

    expect(await requests(reader)).toEqual([
      [{ ...base('GET', 200), 'http.route': '/healthz' }, 2],
      [{ ...base('POST', 200), 'http.route': '/admin/plugins/:name/enable' }, 2],
      [{ ...base('GET', 500), 'http.route': '/admin/tasks', 'error.type': '500' }, 1],
      // Neither a host route nor a plugin route matched: no http.route, and never the raw path.
      [base('GET', 404), 1],
      [base('_OTHER', 404), 1],
      // Refused by the body limit middleware on '*', before any route.
      [base('POST', 413), 1],
    ]);
  });

  test("names the plugin whose app answered and its route pattern, and marks a plugin's 500 with error.type", async () => {
    const reader = sdk();
    const app = hostApp();
    expect((await app.request('/api/items/1')).status).toBe(200);
    expect((await app.request('/api/items/2')).status).toBe(200);
    expect((await app.request('/api/items', { method: 'POST' })).status).toBe(201);
    expect((await app.request('/api/boom')).status).toBe(500);

    expect(await requests(reader)).toEqual([
      [{ ...base('GET', 200), 'plugboard.plugin': 'catalog', 'http.route': '/api/items/:id' }, 2],
      [{ ...base('POST', 201), 'plugboard.plugin': 'catalog', 'http.route': '/api/items' }, 1],
      [{ ...base('GET', 500), 'plugboard.plugin': 'catalog', 'http.route': '/api/boom', 'error.type': '500' }, 1],
    ]);
  });

  test('http.server.active_requests goes up for a request in flight and back to 0 after it', async () => {
    const reader = sdk();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const kernel = fakeKernel();
    kernel.routesList.push(pluginApp('slow', (app) => app.get('/api/slow', async (c) => (await gate, c.text('done')))));
    const app = createHttpApp({ kernel, logger, bodyLimit: 16 });
    const pending = app.request('/api/slow');
    await new Promise((r) => setTimeout(r, 20));
    // Counts are process-wide: methods of earlier tests are reported too, at 0.
    const active = async () =>
      (await reader.points())
        .filter((p) => p.name === 'http.server.active_requests' && p.attributes['http.request.method'] === 'GET')
        .map((p) => [p.attributes, p.value]);
    expect(await active()).toEqual([[{ 'http.request.method': 'GET', 'url.scheme': 'http' }, 1]]);
    release();
    expect((await pending).status).toBe(200);
    expect(await active()).toEqual([[{ 'http.request.method': 'GET', 'url.scheme': 'http' }, 0]]);
  });

  test('plugboard.middleware.duration is recorded per plugin app offered the request, answered or passed on', async () => {
    const reader = sdk();
    const kernel = fakeKernel();
    kernel.routesList.push(pluginApp('first', (app) => app.use('*', async (_c, next) => next())));
    kernel.routesList.push(pluginApp('second', (app) => app.get('/api/x', (c) => c.text('x'))));
    const app = createHttpApp({ kernel, logger, bodyLimit: 16 });
    expect((await app.request('/api/x')).status).toBe(200);
    const points = (await reader.points())
      .filter((p) => p.name === 'plugboard.middleware.duration')
      .map((p) => [p.attributes, (p.value as { count: number }).count]);
    expect(points).toEqual([
      [{ 'plugboard.plugin': 'first', 'plugboard.answered': false }, 1],
      [{ 'plugboard.plugin': 'second', 'plugboard.answered': true }, 1],
    ]);
  });

  test('is in seconds, with the bucket boundaries the semantic conventions advise', async () => {
    const reader = sdk();
    await hostApp().request('/healthz');
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .find((s) => s.scope.name === 'plugboard.http')!
      .metrics.find((m) => m.descriptor.name === 'http.server.request.duration') as HistogramMetricData;
    expect(metric.descriptor).toMatchObject({ name: 'http.server.request.duration', unit: 's', description: 'Duration of HTTP server requests.' });
    const point = metric.dataPoints[0]!;
    expect(point.value.buckets.boundaries).toEqual(HTTP_DURATION_BUCKETS);
    expect(point.value.count).toBe(1);
  });

  test('with no MeterProvider installed requests are answered and not measured; once one is, they are', async () => {
    const app = hostApp();
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/api/boom')).status).toBe(500);
    const reader = sdk();
    expect(await requests(reader)).toEqual([]);

    expect((await app.request('/healthz')).status).toBe(200);
    expect(await requests(reader)).toEqual([[{ ...base('GET', 200), 'http.route': '/healthz' }, 1]]);
    installMeterProvider(undefined);
    expect((await app.request('/healthz')).status).toBe(200);
    expect(await requests(reader)).toEqual([[{ ...base('GET', 200), 'http.route': '/healthz' }, 1]]);
  });
});
