/** Builds MetricsSnapshot values by hand, for unit tests of one piece (the engine, History). */
import type { HistogramValue, MetricAttributes, MetricFamily, MetricKind, MetricPoint, MetricsSnapshot } from '@plugboard/plugin-metrics';

export interface FamilySpec {
  name: string;
  kind: MetricKind;
  unit?: string;
  points: { attributes?: MetricAttributes; value?: number; histogram?: HistogramValue }[];
}

export function snapshotOf(time: number, families: FamilySpec[]): MetricsSnapshot {
  return {
    time,
    families: families.map(
      (f): MetricFamily => ({
        name: f.name,
        prometheusName: f.name.replace(/\./g, '_'),
        kind: f.kind,
        unit: f.unit ?? '',
        description: '',
        points: f.points.map((p): MetricPoint => ({ attributes: p.attributes ?? {}, ...(p.value !== undefined ? { value: p.value } : {}), ...(p.histogram ? { histogram: p.histogram } : {}) })),
      }),
    ),
  };
}

/** A histogram point with `perBucket` counts (boundaries.length + 1 of them). */
export function histogram(boundaries: number[], perBucket: number[], sum = 0): HistogramValue {
  return { boundaries, counts: perBucket, sum, count: perBucket.reduce((a, b) => a + b, 0) };
}
