import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { expect, it } from 'vitest';
import { TraceRing } from './TraceRing.js';

function setup(maxTraces: number, maxSpans: number) {
  const ring = new TraceRing(maxTraces, maxSpans);
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
