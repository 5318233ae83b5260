import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test } from 'vitest';
import { createForwardingTracer } from './ForwardingTracer.js';
import { installTracerProvider } from '@plugboard/plugin-api';

function sdk() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = () => exporter.getFinishedSpans().map((s) => `${s.instrumentationScope.name}@${s.instrumentationScope.version}:${s.name}`);
  return { provider, spans };
}

afterEach(() => {
  installTracerProvider(undefined);
});

describe('createForwardingTracer', () => {
  test('spans go to the installed provider, then only to its replacement, and nowhere once removed', () => {
    const tracer = createForwardingTracer('conversations', '1.2.0');
    const before = tracer.startSpan('before');
    expect(before.isRecording()).toBe(false);
    before.end();

    const first = sdk();
    installTracerProvider(first.provider);
    tracer.startSpan('one').end();
    expect(first.spans()).toEqual(['conversations@1.2.0:one']);

    const second = sdk();
    installTracerProvider(second.provider);
    tracer.startSpan('two', { attributes: { turn: 2 } }, ROOT_CONTEXT).end();
    expect(second.spans()).toEqual(['conversations@1.2.0:two']);
    expect(first.spans()).toEqual(['conversations@1.2.0:one']);

    installTracerProvider(undefined);
    const after = tracer.startSpan('after');
    expect(after.isRecording()).toBe(false);
    after.end();
    expect(first.spans()).toHaveLength(1);
    expect(second.spans()).toHaveLength(1);
  });

  test('a tracer from the plain API stays on the old provider after a replacement, which is why this exists', () => {
    const first = sdk();
    installTracerProvider(first.provider);
    const plain = trace.getTracer('plain');
    const second = sdk();
    installTracerProvider(second.provider);
    plain.startSpan('stale').end();
    expect(first.spans()).toEqual(['plain@undefined:stale']);
    expect(second.spans()).toEqual([]);
  });

  test('startActiveSpan, in each of its forms, returns what the callback returns and records on the current provider', async () => {
    const tracer = createForwardingTracer('conversations');
    expect(tracer.startActiveSpan('noop', () => 'nothing installed')).toBe('nothing installed');

    const first = sdk();
    installTracerProvider(first.provider);
    const answer = tracer.startActiveSpan('fn', (span) => {
      span.end();
      return 42;
    });
    expect(answer).toBe(42);
    const second = sdk();
    installTracerProvider(second.provider);
    const withOptions = await tracer.startActiveSpan('options', { attributes: { a: 1 } }, async (span) => {
      span.end();
      return 'async';
    });
    const withContext = tracer.startActiveSpan('context', {}, ROOT_CONTEXT, (span) => {
      span.end();
      return span.isRecording() ? 'recording' : 'ended';
    });
    expect([withOptions, withContext]).toEqual(['async', 'ended']);
    expect(first.spans()).toEqual(['conversations@undefined:fn']);
    expect(second.spans()).toEqual(['conversations@undefined:options', 'conversations@undefined:context']);
  });
});
