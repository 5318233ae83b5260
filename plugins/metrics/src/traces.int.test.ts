import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TraceSummary } from './contract.js';
import { exchange, post, startApp, type TestApp } from './testSupport.js';

let app: TestApp;

beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.close());

async function recent(): Promise<TraceSummary[]> {
  const res = await fetch(`${app.url}/api/traces/recent?limit=100`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { traces: TraceSummary[] }).traces;
}

it('a request gets a server span named METHOD route with client spans of its queries, and a traceresponse header', async () => {
  expect((await post(`${app.url}/api/conversations`, exchange({ user_id: 601 }))).status).toBe(201);
  const res = await fetch(`${app.url}/api/users/601/conversations`);
  expect(res.status).toBe(200);
  const header = res.headers.get('traceresponse');
  expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  const [, traceId, spanId] = header!.split('-');

  const trace = (await recent()).find((t) => t.traceId === traceId);
  expect(trace?.name).toBe('GET /api/users/:id/conversations');
  const server = trace!.spans.find((s) => s.spanId === spanId)!;
  expect(server).toMatchObject({
    kind: 'server',
    status: 'unset',
    attributes: { 'http.route': '/api/users/:id/conversations', 'http.response.status_code': 200, 'plugboard.plugin': 'conversations' },
  });
  const queries = trace!.spans.filter((s) => s.kind === 'client');
  expect(queries.length).toBeGreaterThan(0);
  for (const q of queries) {
    expect(q.parentSpanId).toBe(spanId);
    expect(q.attributes['db.system.name']).toBe('postgresql');
    expect(q.attributes['db.namespace']).toEqual(expect.any(String));
    // Normalised: the user id 601 is nowhere in the statement.
    expect(String(q.attributes['db.query.text'])).not.toContain('601');
    // Timed within the request, on the same clock.
    expect(q.startOffsetMs).toBeGreaterThanOrEqual(server.startOffsetMs);
    expect(q.startOffsetMs + q.durationMs).toBeLessThanOrEqual(server.startOffsetMs + server.durationMs + 0.001);
  }
  expect(queries.map((q) => q.name)).toContain('SELECT conversations');
});

it('an incoming traceparent is honoured and a 5xx or 4xx is told apart in the ring', async () => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const parent = 'b7ad6b7169203331';
  const res = await fetch(`${app.url}/api/users/99999`, { headers: { traceparent: `00-${traceId}-${parent}-01` } });
  expect(res.status).toBe(404);
  expect(res.headers.get('traceresponse')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  const trace = (await recent()).find((t) => t.traceId === traceId)!;
  const server = trace.spans.find((s) => s.kind === 'server')!;
  expect(server.parentSpanId).toBe(parent);
  expect(trace.name).toBe('GET /api/users/:id');
  expect(trace.error).toBe(false);

  const slow = await fetch(`${app.url}/api/traces/slow?limit=3`);
  const traces = ((await slow.json()) as { traces: TraceSummary[] }).traces;
  expect(traces.length).toBeLessThanOrEqual(3);
  for (let i = 1; i < traces.length; i++) expect(traces[i - 1]!.durationMs).toBeGreaterThanOrEqual(traces[i]!.durationMs);
});
