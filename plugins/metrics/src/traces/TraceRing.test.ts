import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { expect, it } from 'vitest';
import { TraceRing, type TraceRingOptions } from './TraceRing.js';

/** A ring that admits every trace unless told otherwise. */
function setup(maxTraces: number, maxSpans: number, options: Partial<TraceRingOptions> = {}) {
  const ring = new TraceRing({ maxTraces, maxSpansPerTrace: maxSpans, recentPerSecond: 1e6, ...options });
  const tracer = new BasicTracerProvider({ spanProcessors: [ring] }).getTracer('test');
  return { ring, tracer };
}

it('groups finished spans by trace, names a trace after its root, newest first, slowest first', () => {
  const { ring, tracer } = setup(10, 10);
  const t0 = Date.now();
  const root = tracer.startSpan('GET /a', { kind: SpanKind.SERVER, startTime: t0 });
  const child = tracer.startSpan('SELECT users', { kind: SpanKind.CLIENT, startTime: t0 + 5 }, trace.setSpan(ROOT_CONTEXT, root));
  child.setStatus({ code: SpanStatusCode.ERROR });
  child.end(t0 + 15);
  root.end(t0 + 20);
  const other = tracer.startSpan('GET /b', { startTime: t0 });
  other.end(t0 + 50);

  const [newest, older] = ring.recent();
  expect(newest!.name).toBe('GET /b');
  expect(older).toMatchObject({ name: 'GET /a', durationMs: 20, error: true, startTime: t0 });
  expect(older!.spans.map((s) => [s.name, s.kind, s.startOffsetMs, s.durationMs, s.status])).toEqual([
    ['GET /a', 'server', 0, 20, 'unset'],
    ['SELECT users', 'client', 5, 10, 'error'],
  ]);
  expect(older!.spans[1]!.parentSpanId).toBe(older!.spans[0]!.spanId);
  expect(ring.slow(1).map((t) => t.name)).toEqual(['GET /b']);
});

it('keeps at most maxTraces traces (least recently touched dropped) and maxSpansPerTrace spans each', () => {
  const { ring, tracer } = setup(2, 2);
  for (const name of ['one', 'two', 'three']) tracer.startSpan(name).end();
  expect(ring.recent().map((t) => t.name)).toEqual(['three', 'two']);
  const root = tracer.startSpan('big');
  for (let i = 0; i < 5; i++) tracer.startSpan(`c${i}`, {}, trace.setSpan(ROOT_CONTEXT, root)).end();
  root.end();
  expect(ring.size).toBe(2);
  expect(ring.recent(1)[0]!.spans).toHaveLength(2);
});

it('orders traces by when their root ended: a child ending later leaves its trace where it is', () => {
  const { ring, tracer } = setup(10, 10);
  const root = tracer.startSpan('GET /first', { kind: SpanKind.SERVER });
  const late = tracer.startSpan('background write', {}, trace.setSpan(ROOT_CONTEXT, root));
  root.end();
  tracer.startSpan('GET /second', { kind: SpanKind.SERVER }).end();
  late.end();
  expect(ring.recent().map((t) => [t.name, t.spans.length])).toEqual([
    ['GET /second', 1],
    ['GET /first', 2],
  ]);
});

it('admits at most recentPerSecond traces a second to the recent ring, and every trace with an error', () => {
  const { ring, tracer } = setup(100, 10, { recentPerSecond: 2 });
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) tracer.startSpan(`ok ${i}`, { startTime: t0 }).end(t0 + 1);
  const failed = tracer.startSpan('failed', { startTime: t0 });
  const query = tracer.startSpan('SELECT', { startTime: t0 + 1 }, trace.setSpan(ROOT_CONTEXT, failed));
  query.setStatus({ code: SpanStatusCode.ERROR });
  query.end(t0 + 2);
  failed.end(t0 + 2);
  expect(ring.recent().map((t) => t.name)).toEqual(['failed', 'ok 1', 'ok 0']);
  expect(ring.recent(1)[0]).toMatchObject({ error: true });
  expect(ring.recent(1)[0]!.spans.map((s) => s.name)).toEqual(['failed', 'SELECT']);

  // Half a second later one token is back, a second later two (the burst), not more.
  tracer.startSpan('half a second', { startTime: t0 }).end(t0 + 502);
  tracer.startSpan('refused', { startTime: t0 }).end(t0 + 502);
  for (let i = 0; i < 4; i++) tracer.startSpan(`later ${i}`, { startTime: t0 }).end(t0 + 5000);
  expect(ring.recent().map((t) => t.name)).toEqual(['later 1', 'later 0', 'half a second', 'failed', 'ok 1', 'ok 0']);
  expect(ring.size).toBe(6);
});

it('keeps the slowest traces of the slow window whether or not the recent ring admitted them, and forgets older ones', () => {
  const { ring, tracer } = setup(100, 10, { recentPerSecond: 0, slowTraces: 2, slowWindowMs: 1000 });
  const t0 = Math.ceil(Date.now() / 500) * 500; // the start of a half window
  for (const [name, ms] of [['20 ms', 20], ['90 ms', 90], ['5 ms', 5], ['60 ms', 60]] as const) {
    const root = tracer.startSpan(name, { startTime: t0 + 100 - ms });
    tracer.startSpan('child', { startTime: t0 + 100 - ms }, trace.setSpan(ROOT_CONTEXT, root)).end(t0 + 99);
    root.end(t0 + 100);
  }
  expect(ring.recent()).toEqual([]);
  expect(ring.slow().map((t) => [t.name, t.spans.length])).toEqual([
    ['90 ms', 2],
    ['60 ms', 2],
  ]);
  expect(ring.slow(1).map((t) => t.name)).toEqual(['90 ms']);
  // The next half window still shows them beside its own; the one after drops them.
  tracer.startSpan('next half', { startTime: t0 + 600 }).end(t0 + 610);
  expect(ring.slow().map((t) => t.name)).toEqual(['90 ms', '60 ms']);
  tracer.startSpan('much later', { startTime: t0 + 1000 }).end(t0 + 1001);
  expect(ring.slow().map((t) => t.name)).toEqual(['next half', 'much later']);
});

it('refuses options that cannot work, naming the option', () => {
  expect(() => new TraceRing({ maxTraces: 0 })).toThrow(/maxTraces must be a whole number of at least 1, not 0/);
  expect(() => new TraceRing({ recentPerSecond: -1 })).toThrow(/recentPerSecond/);
  expect(() => new TraceRing({ slowWindowMs: 0 })).toThrow(/slowWindowMs/);
});

it('keeps two requests that came with one traceparent apart, however their spans interleave', () => {
  const { ring, tracer } = setup(10, 10);
  // Two requests of one client trace (one incoming trace id, two parent span ids), in flight at once.
  const incoming = (spanId: string) =>
    trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId, traceFlags: 1, isRemote: true });
  const first = tracer.startSpan('GET /first', { kind: SpanKind.SERVER }, incoming('b7ad6b7169203331'));
  const second = tracer.startSpan('GET /second', { kind: SpanKind.SERVER }, incoming('b7ad6b7169203332'));
  const work = tracer.startSpan('work', {}, trace.setSpan(ROOT_CONTEXT, second));
  // A grandchild that ends before its parent.
  tracer.startSpan('SELECT b', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, work)).end();
  tracer.startSpan('SELECT a', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, first)).end();
  work.end();
  first.end();
  // The second request's late query, after the first was kept under the same trace id.
  const late = tracer.startSpan('SELECT late', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, second));
  late.end();
  second.end();
  // And a late child of the first: it joins the first's kept trace.
  tracer.startSpan('after first', {}, trace.setSpan(ROOT_CONTEXT, first)).end();

  const [newest, older] = ring.recent();
  expect(newest!.name).toBe('GET /second');
  expect(newest!.spans.map((s) => s.name).sort()).toEqual(['GET /second', 'SELECT b', 'SELECT late', 'work']);
  expect(older!.name).toBe('GET /first');
  expect(older!.spans.map((s) => s.name).sort()).toEqual(['GET /first', 'SELECT a', 'after first']);
});
