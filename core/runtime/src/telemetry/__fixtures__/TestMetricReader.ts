/**
 * A pull reader for tests: `points()` collects from the provider it is attached to and flattens
 * the result into one row per data point, histograms as their count and sum. Cumulative by
 * default; with `delta` each collection shows only what was recorded or observed since the last,
 * which is how a test sees an observable callback stop (cumulative repeats its last value).
 */
import { AggregationTemporality, DataPointType, MetricReader } from '@opentelemetry/sdk-metrics';

export interface Point {
  scope: string;
  name: string;
  attributes: Record<string, unknown>;
  value: number | { count: number; sum: number | undefined };
}

export class TestMetricReader extends MetricReader {
  constructor(temporality: 'cumulative' | 'delta' = 'cumulative') {
    const selected = temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
    super({ aggregationTemporalitySelector: () => selected });
  }

  async points(): Promise<Point[]> {
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'Collection failed');
    return resourceMetrics.scopeMetrics.flatMap(({ scope, metrics }) =>
      metrics.flatMap((metric) =>
        metric.dataPoints.map((point): Point => ({
          scope: scope.name,
          name: metric.descriptor.name,
          attributes: { ...point.attributes },
          value:
            metric.dataPointType === DataPointType.HISTOGRAM
              ? { count: (point.value as { count: number }).count, sum: (point.value as { sum?: number }).sum }
              : (point.value as number),
        })),
      ),
    );
  }

  protected override async onShutdown(): Promise<void> {}

  protected override async onForceFlush(): Promise<void> {}
}
