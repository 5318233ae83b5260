/**
 * The server span of one HTTP request, per the semantic conventions: named `METHOD route` (only
 * the method when no route matched), kind SERVER, the child of an incoming W3C `traceparent`
 * when there is one (through the propagator the telemetry plugin installed), and answered with a
 * `traceresponse` header (W3C Trace Context level 2) naming the trace and span, so a client can
 * find its request's trace.
 */
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context as OtelContext, Span, TextMapGetter, Tracer } from '@opentelemetry/api';
import { spanTime } from './spanTime.js';

/** How the span reads the request's headers (names in lower case). */
export interface RequestHeaders {
  get(name: string): string | undefined;
  keys(): string[];
}

const headerGetter: TextMapGetter<RequestHeaders> = {
  get: (headers, key) => headers.get(key),
  keys: (headers) => headers.keys(),
};

/** A started server span and the context to run the request in. */
export interface ServerSpan {
  readonly span: Span;
  /** The request's context: the span set on its parent. Run the request with it active. */
  readonly context: OtelContext;
  readonly method: string;
  /** Whether the request came with a valid trace context of its own. */
  readonly propagated: boolean;
}

/** What the request middleware knows once the request was answered. */
export interface ServerSpanEnd {
  route: string | undefined;
  status: number;
  attributes: Attributes;
}

/**
 * Starts the request's span as a child of the request's `traceparent` (or a new root). The caller
 * runs the request with `context` active and then calls `endServerSpan`.
 *
 * @example
 * const server = startServerSpan(tracer, { get: (name) => headers[name], keys: () => Object.keys(headers) }, 'GET', { 'url.path': c.req.path });
 * await context.with(server.context, next);
 * endServerSpan(server, { route: '/api/users/:id', status: 200, attributes: {} }, (k, v) => setAnswerHeader(c, k, v));
 */
export function startServerSpan(tracer: Tracer, headers: RequestHeaders, method: string, attributes: Attributes): ServerSpan {
  // Most requests carry no trace context: skip the propagators' work for them.
  const parent: OtelContext = headers.get('traceparent') !== undefined ? propagation.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
  // Timed on spanTime's clock, as the query spans are, so they stay inside it (spanTime.ts).
  const span: Span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes, startTime: spanTime() }, parent);
  return { span, context: trace.setSpan(parent, span), method, propagated: parent !== ROOT_CONTEXT && trace.getSpanContext(parent) !== undefined };
}

/**
 * Names the span from the matched route, adds the answer's attributes, marks a 5xx as an error,
 * ends it, and sets `traceresponse` through `setHeader` when the span is recorded or the client
 * sent a trace context.
 */
export function endServerSpan(server: ServerSpan, end: ServerSpanEnd, setHeader: (name: string, value: string) => void): void {
  const { span, method } = server;
  if (span.isRecording() || server.propagated) {
    const { traceId, spanId, traceFlags } = span.spanContext();
    setHeader('traceresponse', `00-${traceId}-${spanId}-${traceFlags < 16 ? '0' : ''}${traceFlags.toString(16)}`);
  }
  if (end.route !== undefined) span.updateName(`${method} ${end.route}`);
  span.setAttributes(end.attributes);
  if (end.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(spanTime());
}
