/**
 * A Tracer that follows `installTracerProvider`: the API's ProxyTracer covers "no provider yet",
 * but after `trace.disable()` and a new provider it stays bound to the old one. This re-fetches
 * its tracer whenever the switch's generation changed, checked with one integer compare per span.
 */
import { trace } from '@opentelemetry/api';
import type { Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import { telemetryState } from '@plugboard/plugin-api/internal';

/**
 * Makes a tracer named `name` (the instrumentation scope) whose spans go to the TracerProvider
 * installed now by `installTracerProvider`, and are non-recording while none is.
 *
 * @example
 * const tracer = createForwardingTracer('conversations', '1.2.0');
 * const reply = await tracer.startActiveSpan('conversation.reply', async (span) => {
 *   try {
 *     return await model.reply(messages);
 *   } finally {
 *     span.end();
 *   }
 * });
 */
export function createForwardingTracer(name: string, version?: string): Tracer {
  return new ForwardingTracer(name, version);
}

class ForwardingTracer implements Tracer {
  readonly #name: string;
  readonly #version: string | undefined;
  #tracer: Tracer;
  #generation: number;

  constructor(name: string, version: string | undefined) {
    this.#name = name;
    this.#version = version;
    this.#tracer = trace.getTracer(name, version);
    this.#generation = telemetryState.tracerGeneration;
  }

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    return this.#current().startSpan(name, options, context);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan(...args: unknown[]): unknown {
    const tracer = this.#current();
    // The overloads are passed through as they came; the delegate sorts them out.
    return (tracer.startActiveSpan as (...a: unknown[]) => unknown).apply(tracer, args);
  }

  #current(): Tracer {
    if (this.#generation !== telemetryState.tracerGeneration) {
      this.#tracer = trace.getTracer(this.#name, this.#version);
      this.#generation = telemetryState.tracerGeneration;
    }
    return this.#tracer;
  }
}
