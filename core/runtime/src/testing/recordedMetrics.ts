/**
 * What `startTestKernel({ metrics: true })` records: a real OpenTelemetry SDK MeterProvider with
 * a reader the test collects from on demand, installed through `installMeterProvider` so every
 * plugin's `ctx.meter` (and core's own instruments) record into it.
 */
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { installMeterProvider } from '@plugboard/plugin-api';

/** A histogram's recorded value. */
export interface RecordedHistogram {
  count: number;
  sum: number;
  min?: number;
  max?: number;
  /** Upper bounds of the buckets, and the count in each (one more count than boundaries: the last is +Inf). */
  boundaries: number[];
  counts: number[];
}

/** One series of a metric: its attributes and its current (cumulative) value. */
export interface RecordedPoint {
  attributes: Attributes;
  /** A number for counters, up-down counters and gauges; a {@link RecordedHistogram} for histograms. */
  value: number | RecordedHistogram;
}

/** A metric as the SDK collected it, flattened for assertions. */
export interface RecordedMetric {
  name: string;
  description: string;
  unit: string;
  /** `'sum'` (counters, up-down counters), `'gauge'` or `'histogram'`. */
  type: 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram';
  /** The instrumentation scope: a plugin's name for its `ctx.meter`, `plugboard.core` for the kernel's. */
  scope: string;
  points: RecordedPoint[];
}

/** A reader that exports nothing by itself: the harness collects when the test asks. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const TYPES = {
  [DataPointType.SUM]: 'sum',
  [DataPointType.GAUGE]: 'gauge',
  [DataPointType.HISTOGRAM]: 'histogram',
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 'exponentialHistogram',
} as const;

function flatten(metric: MetricData, scope: string): RecordedMetric {
  const { name, description, unit } = metric.descriptor;
  const points: RecordedPoint[] = metric.dataPoints.map((point) => {
    const raw: unknown = point.value;
    if (typeof raw === 'number') return { attributes: point.attributes, value: raw };
    const h = raw as { count: number; sum?: number; min?: number; max?: number; buckets?: { boundaries: number[]; counts: number[] } };
    const value: RecordedHistogram = {
      count: h.count,
      sum: h.sum ?? 0,
      boundaries: h.buckets?.boundaries ?? [],
      counts: h.buckets?.counts ?? [],
      ...(h.min !== undefined ? { min: h.min } : {}),
      ...(h.max !== undefined ? { max: h.max } : {}),
    };
    return { attributes: point.attributes, value };
  });
  return { name, description, unit, type: TYPES[metric.dataPointType], scope, points };
}

export interface MetricsRecorder {
  /** Everything recorded so far, one entry per metric name and scope. */
  collect(): Promise<RecordedMetric[]>;
  /** Uninstalls the provider (instruments become no-ops again) and shuts it down. */
  close(): Promise<void>;
}

/** Installs a MeterProvider for the process and returns what reads it. */
export function recordMetrics(): MetricsRecorder {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({ readers: [reader] });
  installMeterProvider(provider);
  return {
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw new AggregateError(errors, 'Collecting the recorded metrics failed.');
      return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.map((m) => flatten(m, scope.scope.name)));
    },
    async close() {
      installMeterProvider(undefined);
      await provider.shutdown();
    },
  };
}
