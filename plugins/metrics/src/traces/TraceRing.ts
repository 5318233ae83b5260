/**
 * The finished traces behind `/api/traces/recent` and `/slow`. As a SpanProcessor it keeps a small
 * record of each ended span (references to its name, times and attributes, not the SDK span,
 * which holds much more) and makes the summaries only when someone reads.
 *
 * A trace is judged when its local root ends (the span whose parent is not in this process):
 * - **recent**: a ring of the last `maxTraces` traces admitted, newest first. At most
 *   `recentPerSecond` are admitted per second (a token bucket with one second of burst), and a
 *   trace with an error always is. At thousands of requests a second a ring of every trace would
 *   span a few milliseconds and keep each span long enough to cost the garbage collector; this
 *   one spans minutes, and a trace that is not kept dies young.
 * - **slow**: the `slowTraces` slowest traces of the last `slowWindowMs` (at least half of it),
 *   whether or not the recent ring admitted them.
 *
 * Spans that end before their root (a request's queries) wait with their trace until it ends; a
 * span that ends after its root joins the trace if the recent ring holds it and is dropped
 * otherwise. A trace whose root never ends here is forgotten after a minute.
 *
 * Several local roots may share a trace id (a client that sends one traceparent with several
 * requests): each root takes only the spans below it, followed from parent to child, and each is
 * its own trace in the ring. A span ending after its root joins it only if its parent is there
 * already, so a late span whose own late parent ends after it is not shown.
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

/**
 * A trace whose root has not ended: its ended spans as the SDK gave them, turned into KeptSpans
 * only if the trace is kept, so the spans of a trace that is not kept cost nothing more.
 */
interface OpenTrace {
  spans: ReadableSpan[];
  dropped: number;
  /** When its first span ended (ms, the spans' clock): open traces are forgotten by it. */
  since: number;
}

interface SlowTrace {
  id: string;
  entry: Entry;
  durationMs: number;
}

/** The slowest traces whose root ended in one half of the slow window, slowest first. */
interface SlowWindow {
  index: number;
  traces: SlowTrace[];
}

export interface TraceRingOptions {
  /** Traces the recent ring holds. */
  maxTraces: number;
  /** Spans kept per trace; later ones are counted in `dropped` and not kept. */
  maxSpansPerTrace: number;
  /** Traces admitted to the recent ring per second at most; those with an error always are. */
  recentPerSecond: number;
  /** How many of the slowest traces `/slow` keeps. */
  slowTraces: number;
  /** How far back `/slow` looks, in ms: traces older than this are gone, those younger than half of it are kept. */
  slowWindowMs: number;
}

export const DEFAULT_TRACE_RING: TraceRingOptions = {
  maxTraces: 500,
  maxSpansPerTrace: 200,
  recentPerSecond: 50,
  slowTraces: 50,
  slowWindowMs: 10 * 60_000,
};

/**
 * Open traces (some spans ended, not the root) kept before the oldest are looked at. They hold
 * the SDK's spans, up to `maxSpansPerTrace` each: more requests than this in flight at once lose
 * their traces from the ring, not from export.
 */
const MAX_OPEN = 2_000;
/** An open trace older than this is forgotten when the open traces are swept. */
const OPEN_TTL_MS = 60_000;

const KINDS: Record<SpanKind, SpanSummary['kind']> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

/**
 * @example
 * const ring = new TraceRing({ ...DEFAULT_TRACE_RING, recentPerSecond: 20 });
 * const provider = new BasicTracerProvider({ spanProcessors: [ring] });
 * ring.recent(10); ring.slow(10);
 */
export class TraceRing implements SpanProcessor {
  readonly #options: TraceRingOptions;
  /** Traces whose root has not ended yet, by trace id, oldest first. */
  readonly #open = new Map<string, OpenTrace>();
  /** The recent ring: slot `#next` is written next; the slots before it hold the newest. */
  readonly #ids: (string | undefined)[];
  readonly #entries: (Entry | undefined)[];
  #next = 0;
  #size = 0;
  /**
   * The traces of the recent ring by id, so a span ending after its root finds its trace: usually
   * one, more when several local roots shared a trace id.
   */
  readonly #kept = new Map<string, Entry[]>();
  #tokens: number;
  #refilledAt = -Infinity;
  #slow: SlowWindow = { index: -Infinity, traces: [] };
  #slowBefore: SlowWindow = { index: -Infinity, traces: [] };

  constructor(options: Partial<TraceRingOptions> = {}) {
    this.#options = { ...DEFAULT_TRACE_RING, ...options };
    for (const key of ['maxTraces', 'maxSpansPerTrace', 'slowTraces'] as const) {
      if (!Number.isInteger(this.#options[key]) || this.#options[key] < 1) throw new RangeError(`TraceRing: ${key} must be a whole number of at least 1, not ${this.#options[key]}.`);
    }
    if (!(this.#options.recentPerSecond >= 0)) throw new RangeError(`TraceRing: recentPerSecond must be 0 or more, not ${this.#options.recentPerSecond}.`);
    if (!(this.#options.slowWindowMs > 0)) throw new RangeError(`TraceRing: slowWindowMs must be more than 0, not ${this.#options.slowWindowMs}.`);
    this.#ids = new Array<string | undefined>(this.#options.maxTraces);
    this.#entries = new Array<Entry | undefined>(this.#options.maxTraces);
    this.#tokens = this.#options.recentPerSecond;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    const id = span.spanContext().traceId;
    const parent = span.parentSpanContext;
    if (parent !== undefined && parent.isRemote !== true) {
      // A late child joins its kept trace; one of another local root of the same trace id (a
      // client that sent one traceparent with several requests) waits for its own root.
      const kept = this.#kept.get(id)?.find((entry) => entry.spans.some((s) => s.spanId === parent.spanId));
      if (kept !== undefined) return this.#add(kept, span);
      let open = this.#open.get(id);
      if (open === undefined) {
        open = { spans: [], dropped: 0, since: hrTimeToMilliseconds(span.endTime) };
        if (this.#open.size >= MAX_OPEN) this.#sweep(open.since);
        this.#open.set(id, open);
      }
      if (open.spans.length < this.#options.maxSpansPerTrace) open.spans.push(span);
      else open.dropped++;
      return;
    }
    // A local root: its part of the trace is complete.
    const endMs = hrTimeToMilliseconds(span.endTime);
    const durationMs = hrTimeToMilliseconds(span.duration);
    const open = this.#open.get(id);
    const children = open !== undefined ? this.#takeChildren(id, open, span.spanContext().spanId) : [];
    const error = span.status.code === SpanStatusCode.ERROR || children.some((s) => s.status.code === SpanStatusCode.ERROR);
    const recent = error || this.#admit(endMs);
    const slow = this.#slowTakes(durationMs, endMs);
    if (!recent && !slow) return;
    const entry: Entry = { spans: [], dropped: 0 };
    if (open !== undefined && open.spans.length === 0) {
      // The spans past the limit are counted with the root that empties the open trace.
      entry.dropped = open.dropped;
    }
    for (const child of children) this.#add(entry, child);
    this.#add(entry, span);
    if (recent) this.#remember(id, entry);
    if (slow) this.#rankSlow(id, entry, durationMs);
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}

  /**
   * The traces of the recent ring, newest first.
   *
   * @example
   * ring.recent(20).map((t) => t.name); // ['GET /api/users/:id', ...]
   */
  recent(limit = 50): TraceSummary[] {
    const out: TraceSummary[] = [];
    const n = this.#options.maxTraces;
    for (let i = 1; i <= Math.min(this.#size, Math.max(0, limit)); i++) {
      const slot = (this.#next - i + n) % n;
      out.push(summarize(this.#ids[slot]!, this.#entries[slot]!.spans));
    }
    return out;
  }

  /**
   * The slowest traces of the slow window, slowest first.
   *
   * @example
   * ring.slow(10)[0]?.durationMs;
   */
  slow(limit = 50): TraceSummary[] {
    const all = [...this.#slow.traces, ...this.#slowBefore.traces].sort((a, b) => b.durationMs - a.durationMs);
    return all.slice(0, Math.max(0, Math.min(limit, this.#options.slowTraces))).map((t) => summarize(t.id, t.entry.spans));
  }

  /** How many traces the recent ring holds. */
  get size(): number {
    return this.#size;
  }

  #add(entry: Entry, span: ReadableSpan): void {
    if (entry.spans.length >= this.#options.maxSpansPerTrace) {
      entry.dropped++;
      return;
    }
    entry.spans.push({
      spanId: span.spanContext().spanId,
      parentSpanId: span.parentSpanContext?.spanId,
      name: span.name,
      kind: span.kind,
      startTime: span.startTime,
      endTime: span.endTime,
      duration: span.duration,
      status: span.status.code,
      attributes: span.attributes,
    });
  }

  /** Takes a token of the recent ring's bucket, refilled at `recentPerSecond`, if one is left. */
  #admit(nowMs: number): boolean {
    const rate = this.#options.recentPerSecond;
    if (nowMs > this.#refilledAt) {
      // The bucket starts full, at the first trace.
      if (this.#refilledAt !== -Infinity) this.#tokens = Math.min(rate, this.#tokens + ((nowMs - this.#refilledAt) * rate) / 1000);
      this.#refilledAt = nowMs;
    }
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }

  /**
   * Takes from `open` the spans below the local root `rootId` and forgets `open` once it is empty.
   * Usually every open span is a child of that root; otherwise (two roots of one trace id in
   * flight at once) the spans are followed up from parent to child, and the others stay open for
   * their own root.
   */
  #takeChildren(id: string, open: OpenTrace, rootId: string): ReadableSpan[] {
    const spans = open.spans;
    if (spans.every((s) => s.parentSpanContext?.spanId === rootId)) {
      this.#open.delete(id);
      open.spans = [];
      return spans;
    }
    const below = new Set([rootId]);
    // A parent may have ended after its children: repeat until no span joins.
    for (let joined = true; joined; ) {
      joined = false;
      for (const s of spans) {
        const spanId = s.spanContext().spanId;
        if (!below.has(spanId) && below.has(s.parentSpanContext!.spanId)) {
          below.add(spanId);
          joined = true;
        }
      }
    }
    const own = spans.filter((s) => below.has(s.spanContext().spanId));
    open.spans = spans.filter((s) => !below.has(s.spanContext().spanId));
    if (open.spans.length === 0) this.#open.delete(id);
    return own;
  }

  #remember(id: string, entry: Entry): void {
    const slot = this.#next;
    const evicted = this.#ids[slot];
    if (evicted !== undefined) {
      const entries = this.#kept.get(evicted)!;
      if (entries.length === 1) this.#kept.delete(evicted);
      else entries.splice(entries.indexOf(this.#entries[slot]!), 1);
    } else this.#size++;
    this.#ids[slot] = id;
    this.#entries[slot] = entry;
    const same = this.#kept.get(id);
    if (same === undefined) this.#kept.set(id, [entry]);
    else same.push(entry);
    this.#next = (slot + 1) % this.#options.maxTraces;
  }

  /** Whether a trace of `durationMs` whose root ended at `endMs` is among the slowest of its window so far. */
  #slowTakes(durationMs: number, endMs: number): boolean {
    const index = Math.floor(endMs / (this.#options.slowWindowMs / 2));
    if (index !== this.#slow.index) {
      if (index < this.#slow.index) return false; // ended before the current window began: too old to rank
      this.#slowBefore = index === this.#slow.index + 1 ? this.#slow : { index: index - 1, traces: [] };
      this.#slow = { index, traces: [] };
    }
    const traces = this.#slow.traces;
    return traces.length < this.#options.slowTraces || durationMs > traces[traces.length - 1]!.durationMs;
  }

  /** Puts a trace that #slowTakes took in its place in the current window. */
  #rankSlow(id: string, entry: Entry, durationMs: number): void {
    const traces = this.#slow.traces;
    let at = traces.length;
    while (at > 0 && traces[at - 1]!.durationMs < durationMs) at--;
    traces.splice(at, 0, { id, entry, durationMs });
    if (traces.length > this.#options.slowTraces) traces.pop();
  }

  /** Forgets open traces older than a minute, or the older half of them when none is. */
  #sweep(nowMs: number): void {
    for (const [id, entry] of this.#open) if (nowMs - entry.since > OPEN_TTL_MS) this.#open.delete(id);
    if (this.#open.size < MAX_OPEN) return;
    let drop = this.#open.size / 2;
    for (const id of this.#open.keys()) {
      if (drop-- <= 0) break;
      this.#open.delete(id);
    }
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
