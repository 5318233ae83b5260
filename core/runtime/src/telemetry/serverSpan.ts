/**
 * The server span of one HTTP request, per the semantic conventions: named `METHOD route` (only
 * the method when no route matched), kind SERVER, the child of an incoming W3C `traceparent`
 * when there is one (through the propagator the telemetry plugin installed), and answered with a
 * `traceresponse` header (W3C Trace Context level 2) naming the trace and span, so a client can
 * find its request's trace.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context as OtelContext, Span, TextMapGetter, Tracer } from '@opentelemetry/api';

/** How the span reads the request's headers (names in lower case). */
export interface RequestHeaders {
  get(name: string): string | undefined;
  keys(): string[];
}

const headerGetter: TextMapGetter<RequestHeaders> = {
  get: (headers, key) => headers.get(key),
  keys: (headers) => headers.keys(),
};

/** What the request middleware knows once the request was answered. */
export interface ServerSpanEnd {
  route: string | undefined;
  status: number;
  attributes: Attributes;
}

/**
 * Starts the request's span as a child of the request's `traceparent` (or a new root) and runs
 * `run` with it active; `end` names the span from the matched route and closes it. Sets the
 * `traceresponse` header through `setHeader` once `run` answered, on that answer.
 *
 * @example
 * return runInServerSpan(tracer, headersOf(c), method, attributes, (k, v) => setAnswerHeader(c, k, v), next, () => endOf(c));
 */
export async function runInServerSpan(
  tracer: Tracer,
  headers: RequestHeaders,
  method: string,
  attributes: Attributes,
  setHeader: (name: string, value: string) => void,
  run: () => Promise<void>,
  end: () => ServerSpanEnd,
): Promise<void> {
  // Most requests carry no trace context: skip the propagators' work for them.
  const parent: OtelContext = headers.get('traceparent') !== undefined ? propagation.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
  const span: Span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes }, parent);
  try {
    await context.with(trace.setSpan(parent, span), run);
  } finally {
    if (span.isRecording() || trace.getSpanContext(parent) !== undefined) {
      const { traceId, spanId, traceFlags } = span.spanContext();
      setHeader('traceresponse', `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`);
    }
    const { route, status, attributes: more } = end();
    if (route !== undefined) span.updateName(`${method} ${route}`);
    span.setAttributes(more);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
}
