import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type TestApp } from './testSupport.js';

/** What the local OTLP/HTTP receiver was sent, parsed from the JSON bodies. */
const received = { spans: [] as { traceId: string; name: string }[], metrics: [] as string[], posts: 0 };
let receiver: Server;
let app: TestApp;
const saved: Record<string, string | undefined> = {};

function setEnv(values: Record<string, string>): void {
  for (const [k, v] of Object.entries(values)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.posts++;
      const json = JSON.parse(body) as Record<string, any>;
      if (req.url === '/v1/traces') {
        for (const rs of json['resourceSpans'] ?? []) for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) received.spans.push({ traceId: s.traceId, name: s.name });
      } else if (req.url === '/v1/metrics') {
        for (const rm of json['resourceMetrics'] ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) received.metrics.push(m.name);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  setEnv({
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_METRIC_EXPORT_INTERVAL: '200',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_SERVICE_NAME: 'otlp-test',
  });
  app = await startApp({ system: { enabled: false } });
});

afterAll(async () => {
  await app?.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await new Promise((resolve) => receiver?.close(resolve));
});

async function until(what: string, test: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!test()) throw new Error(`The OTLP receiver never got ${what}.`);
}

async function tracedRequest(): Promise<string> {
  const res = await fetch(`${app.url}/api/users/424242`);
  expect(res.status).toBe(404);
  return res.headers.get('traceresponse')?.split('-')[1] ?? '';
}

it('sends spans and metrics as OTLP/HTTP JSON; disabling the plugin stops export while the app serves; enabling resumes it', async () => {
  const first = await tracedRequest();
  await until('the request span', () => received.spans.some((s) => s.traceId === first && s.name === 'GET /api/users/:id'));
  await until('the request metric', () => received.metrics.includes('http.server.request.duration'));
  expect(received.metrics).toContain('db.client.operation.duration');
  expect(received.spans.some((s) => s.traceId === first && s.name === 'SELECT users')).toBe(true);

  const report = await app.kernel.kernel.disable('metrics');
  expect(report.failed).toEqual([]);
  const postsAfterStop = received.posts;
  // The app keeps serving, without a trace header, without /metrics, and sends nothing more.
  expect(await tracedRequest()).toBe('');
  expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
  expect((await fetch(`${app.url}/api/users/424242/conversations`)).status).toBe(404);
  await new Promise((r) => setTimeout(r, 800)); // four export intervals
  expect(received.posts).toBe(postsAfterStop);

  expect((await app.kernel.kernel.enable('metrics')).failed).toEqual([]);
  const again = await tracedRequest();
  expect(again).toMatch(/^[0-9a-f]{32}$/);
  await until('the span after enabling', () => received.spans.some((s) => s.traceId === again));
  expect((await fetch(`${app.url}/metrics`)).status).toBe(200);
});
