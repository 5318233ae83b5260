/**
 * Turns what the SDK collected (per resource, per instrumentation scope, per instrument) into
 * the contract's families: one per instrument name, the points of every scope together, each
 * with its Prometheus name. Exponential histograms are left out: nothing here produces them
 * (the plugin's views make every histogram explicit-bucket) and Prometheus text cannot carry them.
 */
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { MetricAttributes, MetricFamily, MetricKind, MetricPoint } from '../contract.js';
import { prometheusNameOf } from '../prometheus/prometheusName.js';

/**
 * Units the semantic conventions give instruments that `@opentelemetry/host-metrics` makes
 * without one, so that they get their Prometheus suffix (`process_memory_usage_bytes`).
 */
const MISSING_UNITS: Readonly<Record<string, string>> = {
  'system.memory.usage': 'By',
  'system.memory.utilization': '1',
  'system.cpu.utilization': '1',
  'process.memory.usage': 'By',
  'process.cpu.utilization': '1',
};

/** A point and the instrumentation scope that recorded it (for the `otel_scope_name` label). */
export interface ScopedPoint extends MetricPoint {
  scope: string;
  scopeVersion?: string;
}

export interface ScopedFamily extends Omit<MetricFamily, 'points'> {
  points: ScopedPoint[];
}

/**
 * One family per instrument name. An instrument name made with two kinds (a counter in one scope,
 * a gauge in another) keeps the first kind seen; the other's points are dropped, as Prometheus
 * could not take both under one name.
 *
 * @example
 * const { resourceMetrics } = await reader.collect();
 * const families = familiesOf(resourceMetrics);
 */
export function familiesOf(resourceMetrics: ResourceMetrics): ScopedFamily[] {
  const byName = new Map<string, ScopedFamily>();
  for (const { scope, metrics } of resourceMetrics.scopeMetrics) {
    for (const metric of metrics) {
      const kind = kindOf(metric);
      if (kind === undefined) continue;
      const { name, description } = metric.descriptor;
      const unit = metric.descriptor.unit || (MISSING_UNITS[name] ?? '');
      let family = byName.get(name);
      if (family === undefined) {
        family = { name, prometheusName: prometheusNameOf(name, unit, kind), kind, unit, description, points: [] };
        byName.set(name, family);
      } else if (family.kind !== kind) continue;
      const scoped = { scope: scope.name, ...(scope.version !== undefined ? { scopeVersion: scope.version } : {}) };
      for (const point of pointsOf(metric)) family.points.push({ ...point, ...scoped });
    }
  }
  return [...byName.values()];
}

/** The same families without the scope of each point, as the contract's snapshot gives them. */
export function publicFamilies(families: readonly ScopedFamily[]): MetricFamily[] {
  return families.map((f) => ({
    ...f,
    points: f.points.map(({ attributes, value, histogram }) => ({
      attributes,
      ...(value !== undefined ? { value } : {}),
      ...(histogram !== undefined ? { histogram } : {}),
    })),
  }));
}

function kindOf(metric: MetricData): MetricKind | undefined {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'updowncounter';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      return undefined;
  }
}

function pointsOf(metric: MetricData): MetricPoint[] {
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    return metric.dataPoints.map((p) => ({
      attributes: p.attributes as MetricAttributes,
      histogram: {
        boundaries: p.value.buckets.boundaries,
        counts: p.value.buckets.counts,
        sum: p.value.sum ?? 0,
        count: p.value.count,
      },
    }));
  }
  if (metric.dataPointType === DataPointType.SUM || metric.dataPointType === DataPointType.GAUGE) {
    return metric.dataPoints.map((p) => ({ attributes: p.attributes as MetricAttributes, value: p.value }));
  }
  return [];
}
