import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TraceSummary } from './contract.js';
import type { MetricsConfig } from './config.js';
import { startApp, type TestApp } from './testSupport.js';

let app: TestApp;

beforeAll(async () => {
  app = await startApp({ system: { enabled: false } });
});
afterAll(() => app?.close());

it('a reload that changes the section starts the new SDK before stopping the old, and the new one keeps recording and tracing', async () => {
  const { kernel } = app.kernel;
  const current = kernel.config;
  const plugins = new Map(current.plugins);
  const metrics = plugins.get('metrics')!;
  plugins.set('metrics', { ...metrics, config: { ...(metrics.config as MetricsConfig), serviceName: 'reloaded' } });
  const report = await kernel.reload({ ...current, plugins });
  expect(report.failed).toEqual([]);

  const res = await fetch(`${app.url}/api/users/5150`);
  expect(res.status).toBe(404);
  const traceId = res.headers.get('traceresponse')?.split('-')[1];
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  const traces = ((await (await fetch(`${app.url}/api/traces/recent`)).json()) as { traces: TraceSummary[] }).traces;
  const trace = traces.find((t) => t.traceId === traceId)!;
  expect(trace.name).toBe('GET /api/users/:id');
  // The request's query is a child of its server span: the context manager survived the swap.
  expect(trace.spans.some((s) => s.kind === 'client' && s.name === 'SELECT users')).toBe(true);

  const text = await (await fetch(`${app.url}/metrics`)).text();
  expect(text).toMatch(/^target_info\{[^}]*service_name="reloaded"/m);
  expect(text).toMatch(/^http_server_request_duration_seconds_count\{[^}]*http_route="\/api\/users\/:id"[^}]*\} 1$/m);
});
