/**
 * What other plugins (alerts, the dashboard, third-party plugins) read from plugins/metrics. This
 * file is the contract: the refs and the shapes they answer. The plugin implements it.
 */
import { serviceRef } from '@plugboard/plugin-api';

/** An attribute set of a data point, as OpenTelemetry gives it. */
export type MetricAttributes = Readonly<Record<string, string | number | boolean>>;

/** An explicit-bucket histogram point, cumulative since the instrument was made. */
export interface HistogramValue {
  /** Upper bounds of the buckets, ascending; the last bucket (counts.length - 1) is +Inf. */
  boundaries: readonly number[];
  /** Count per bucket (not cumulative), `boundaries.length + 1` of them. */
  counts: readonly number[];
  sum: number;
  count: number;
}

/** One data point: a number for counters, up-down counters and gauges, or a histogram. */
export interface MetricPoint {
  attributes: MetricAttributes;
  /** Counters and up-down counters: the cumulative sum; gauges: the last value. */
  value?: number;
  histogram?: HistogramValue;
}

export type MetricKind = 'counter' | 'updowncounter' | 'gauge' | 'histogram';

/** Every point of one instrument (merged across instrumentation scopes of the same name). */
export interface MetricFamily {
  /** The OpenTelemetry name: `http.server.request.duration`. */
  name: string;
  /** The Prometheus name `/metrics` shows it under: `http_server_request_duration_seconds`. */
  prometheusName: string;
  kind: MetricKind;
  /** UCUM unit as the instrument gives it (`s`, `By`, `{request}`), '' when none. */
  unit: string;
  description: string;
  points: readonly MetricPoint[];
}

/** Everything the SDK holds at one instant (cumulative temporality). */
export interface MetricsSnapshot {
  /** When it was collected, ms since the epoch. */
  time: number;
  families: readonly MetricFamily[];
}

/**
 * The names of the main series the metrics plugin samples every second and keeps for an hour.
 * Rates are per second over the last sample interval; latencies in milliseconds.
 */
export const MAIN_SERIES = [
  'http.requests_per_s',
  'http.errors_per_s',
  'http.latency_p50_ms',
  'http.latency_p95_ms',
  'http.latency_p99_ms',
  'process.cpu_percent',
  'process.memory.rss_bytes',
  'process.memory.heap_used_bytes',
  'system.memory.used_bytes',
  'eventloop.delay_p99_ms',
  'gc.pause_ms_per_s',
  'db.query_p95_ms',
  'db.queries_per_s',
  'db.pool.used',
  'db.pool.pending',
  'cache.hit_ratio',
  'batch.queue_depth',
  'batch.flushes_per_s',
  'batch.retries_per_s',
  'batch.dead_letters',
] as const;
export type MainSeriesName = (typeof MAIN_SERIES)[number];

/** One route's figures since the plugin started. */
export interface RouteStats {
  method: string;
  /** The matched route template (`/api/users/:id`), never the raw path. */
  route: string;
  /** The plugin whose app answered, when a plugin did. */
  plugin?: string;
  requests: number;
  /** Answers with status 500 or more. */
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** What `GET /api/metrics` answers and what the dashboard draws. */
export interface MetricsOverview {
  /** When it was made, ms since the epoch. */
  time: number;
  /** Milliseconds between two samples of `history`. */
  intervalMs: number;
  /** The latest sample of each main series; null when its source is absent (its plugin is off). */
  current: Record<MainSeriesName, number | null>;
  /** Up to the last hour of samples, oldest first: one timestamp array and one array per series. */
  history: { t: readonly number[]; series: Record<MainSeriesName, readonly (number | null)[]> };
  /** The slowest routes (by p95) and the most failing routes (by errors), at most 10 each. */
  slowestRoutes: readonly RouteStats[];
  failingRoutes: readonly RouteStats[];
}

/** A finished span, as kept in the ring of recent spans. */
export interface SpanSummary {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  /** Milliseconds from the start of its trace's first span. */
  startOffsetMs: number;
  durationMs: number;
  status: 'unset' | 'ok' | 'error';
  attributes: MetricAttributes;
}

/** One trace: the spans of it that finished in this process. */
export interface TraceSummary {
  traceId: string;
  /** The name of the root span (or the earliest span when the root is elsewhere). */
  name: string;
  /** ms since the epoch. */
  startTime: number;
  durationMs: number;
  error: boolean;
  spans: readonly SpanSummary[];
}

/** What the metrics plugin provides as `metrics.reader`. */
export interface MetricsReader {
  /** Collects every instrument now, through the in-process reader. */
  collect(): Promise<MetricsSnapshot>;
  /** Current values and the last hour of the main series (bounded memory). */
  overview(): MetricsOverview;
  /** The most recent finished traces the ring admitted (at most `tracing.recentPerSecond` a second, and every one with an error), newest first. */
  recentTraces(limit?: number): TraceSummary[];
  /** The slowest finished traces of the last `tracing.slowWindow` (at least half of it), slowest first. */
  slowTraces(limit?: number): TraceSummary[];
}

export const metricsReaderRef = serviceRef<MetricsReader>('metrics.reader', {
  description: 'The in-process metrics reader: snapshots, the main series of the last hour, recent traces',
});
