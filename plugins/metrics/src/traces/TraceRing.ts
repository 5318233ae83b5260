/**
 * A bounded ring of finished spans grouped by trace, for `/api/traces/recent` and `/slow`. As a
 * SpanProcessor it keeps a small record of each ended span (references to its name, times and
 * attributes, not the SDK span, which holds much more and would otherwise be kept past the young
 * generation); the summaries are made when someone reads. At most `maxTraces` traces, the one whose
 * root (or server) span ended least recently dropped first, and `maxSpansPerTrace` spans each.
 */
import type { Context } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { MetricAttributes, SpanSummary, TraceSummary } from '../contract.js';

/** What is kept of an ended span. */
interface KeptSpan {
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: SpanKind;
  startTime: ReadableSpan['startTime'];
  endTime: ReadableSpan['endTime'];
  duration: ReadableSpan['duration'];
  status: SpanStatusCode;
  attributes: ReadableSpan['attributes'];
}

interface Entry {
  spans: KeptSpan[];
  /** Spans past the limit, counted but not kept. */
  dropped: number;
}

const KINDS: Record<SpanKind, SpanSummary['kind']> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

export class TraceRing implements SpanProcessor {
  /** Insertion order is recency: a trace is moved to the end when one of its spans ends. */
  readonly #traces = new Map<string, Entry>();

  constructor(
    private readonly maxTraces: number,
    private readonly maxSpansPerTrace: number,
  ) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    const { traceId: id, spanId } = span.spanContext();
    let entry = this.#traces.get(id);
    if (entry === undefined) {
      entry = { spans: [], dropped: 0 };
      if (this.#traces.size >= this.maxTraces) this.#traces.delete(this.#traces.keys().next().value!);
      this.#traces.set(id, entry);
    } else if (span.parentSpanContext === undefined || span.kind === SpanKind.SERVER) {
      // Moved to the end (most recent) when its root ends; a child ending inside the trace
      // leaves it where it is, sparing two map operations per query span.
      this.#traces.delete(id);
      this.#traces.set(id, entry);
    }
    if (entry.spans.length < this.maxSpansPerTrace) {
      entry.spans.push({
        spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        name: span.name,
        kind: span.kind,
        startTime: span.startTime,
        endTime: span.endTime,
        duration: span.duration,
        status: span.status.code,
        attributes: span.attributes,
      });
    } else entry.dropped++;
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}

  /**
   * The traces whose last span ended most recently, newest first.
   *
   * @example
   * ring.recent(20).map((t) => t.name); // ['GET /api/users/:id', ...]
   */
  recent(limit = 50): TraceSummary[] {
    const ids = [...this.#traces.keys()].reverse().slice(0, Math.max(0, limit));
    return ids.map((id) => summarize(id, this.#traces.get(id)!.spans));
  }

  /**
   * The slowest traces kept, slowest first.
   *
   * @example
   * ring.slow(10)[0]?.durationMs;
   */
  slow(limit = 50): TraceSummary[] {
    const all = [...this.#traces].map(([id, entry]) => summarize(id, entry.spans));
    return all.sort((a, b) => b.durationMs - a.durationMs).slice(0, Math.max(0, limit));
  }

  /** How many traces are kept. */
  get size(): number {
    return this.#traces.size;
  }
}

function summarize(traceId: string, spans: readonly KeptSpan[]): TraceSummary {
  let start = Infinity;
  let end = -Infinity;
  for (const s of spans) {
    start = Math.min(start, hrTimeToMilliseconds(s.startTime));
    end = Math.max(end, hrTimeToMilliseconds(s.endTime));
  }
  const ids = new Set(spans.map((s) => s.spanId));
  // The root is the span with no parent here (its parent, if any, is in another process).
  const root =
    spans.find((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId)) ??
    spans.reduce((a, b) => (hrTimeToMilliseconds(a.startTime) <= hrTimeToMilliseconds(b.startTime) ? a : b));
  const summaries = spans
    .map((s): SpanSummary => {
      const parent = s.parentSpanId;
      return {
        spanId: s.spanId,
        ...(parent !== undefined ? { parentSpanId: parent } : {}),
        name: s.name,
        kind: KINDS[s.kind] ?? 'internal',
        startOffsetMs: hrTimeToMilliseconds(s.startTime) - start,
        durationMs: hrTimeToMilliseconds(s.duration),
        status: s.status === SpanStatusCode.ERROR ? 'error' : s.status === SpanStatusCode.OK ? 'ok' : 'unset',
        attributes: plainAttributes(s.attributes),
      };
    })
    .sort((a, b) => a.startOffsetMs - b.startOffsetMs);
  return {
    traceId,
    name: root.name,
    startTime: start,
    durationMs: end - start,
    error: summaries.some((s) => s.status === 'error'),
    spans: summaries,
  };
}

function plainAttributes(attributes: ReadableSpan['attributes']): MetricAttributes {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.join(',');
  }
  return out;
}
