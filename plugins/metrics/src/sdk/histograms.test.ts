import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, MeterProvider, type HistogramMetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { expect, it } from 'vitest';
import { InProcessReader } from '../reader/InProcessReader.js';
import { HistogramStore, SDK_DEFAULT_BOUNDARIES, StoreMeterProvider } from './histograms.js';

const resource = resourceFromAttributes({ 'service.name': 'test' });
const scope = { name: 'test.scope', version: '1.0.0' };

async function histograms(store: HistogramStore, temporality = AggregationTemporality.CUMULATIVE): Promise<HistogramMetricData[]> {
  const { resourceMetrics } = await store.producer(temporality).collect();
  return metricsOf(resourceMetrics);
}

function metricsOf(resourceMetrics: ResourceMetrics): HistogramMetricData[] {
  return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m): m is HistogramMetricData => m.dataPointType === DataPointType.HISTOGRAM);
}

it('counts a value equal to a bound in that bound\'s bucket and keeps sum, count, min and max, as the SDK does', async () => {
  const store = new HistogramStore({ resource, secondsBuckets: [0.1, 1] });
  const h = store.histogram(scope, 'work.duration', { unit: 's', description: 'Work.' });
  for (const v of [0.05, 0.1, 0.5, 1, 3]) h.record(v, { kind: 'a' });
  const [metric] = await histograms(store);
  expect(metric!.descriptor).toEqual({ name: 'work.duration', description: 'Work.', unit: 's', valueType: ValueType.DOUBLE });
  expect(metric!.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
  expect(metric!.dataPoints).toHaveLength(1);
  expect(metric!.dataPoints[0]!.attributes).toEqual({ kind: 'a' });
  expect(metric!.dataPoints[0]!.value).toEqual({ buckets: { boundaries: [0.1, 1], counts: [2, 2, 1] }, sum: 4.65, count: 5, min: 0.05, max: 3 });
});

it('takes the seconds buckets for unit s, else the advice, else the SDK\'s default bounds', async () => {
  const store = new HistogramStore({ resource, secondsBuckets: [0.5] });
  store.histogram(scope, 'a', { unit: 's', advice: { explicitBucketBoundaries: [7] } }).record(1);
  store.histogram(scope, 'b', { unit: 'By', advice: { explicitBucketBoundaries: [7] } }).record(1);
  store.histogram(scope, 'c', { unit: 'By' }).record(1);
  const bounds = Object.fromEntries((await histograms(store)).map((m) => [m.descriptor.name, m.dataPoints[0]!.value.buckets.boundaries]));
  expect(bounds).toEqual({ a: [0.5], b: [7], c: [...SDK_DEFAULT_BOUNDARIES] });
});

it('records equal attribute sets into one point whether frozen, fresh or in another key order', async () => {
  const store = new HistogramStore({ resource, secondsBuckets: [1] });
  const h = store.histogram(scope, 'd', { unit: 's' });
  const frozen = Object.freeze({ route: '/a', status: 200 });
  h.record(0.1, frozen);
  h.record(0.2, frozen);
  h.record(0.3, { status: 200, route: '/a' });
  h.record(0.4, Object.freeze({ route: '/a', status: 200 }));
  h.record(0.5, { route: '/b', status: 200 });
  const points = (await histograms(store))[0]!.dataPoints.map((p) => [p.attributes, p.value.count]);
  expect(points).toEqual([
    [{ route: '/a', status: 200 }, 4],
    [{ route: '/b', status: 200 }, 1],
  ]);
});

it('drops negative values and what is not a number, and truncates values of an INT histogram', async () => {
  const store = new HistogramStore({ resource, secondsBuckets: [1] });
  const h = store.histogram(scope, 'e', { unit: 'By', valueType: ValueType.INT, advice: { explicitBucketBoundaries: [10] } });
  h.record(-1);
  h.record(Number.NaN);
  h.record('3' as unknown as number);
  h.record(4.9);
  expect((await histograms(store))[0]!.dataPoints[0]!.value).toMatchObject({ count: 1, sum: 4, min: 4, max: 4 });
});

it('keeps at most cardinalityLimit points, later attribute sets counting in the overflow point', async () => {
  const store = new HistogramStore({ resource, secondsBuckets: [1], cardinalityLimit: 3 });
  const h = store.histogram(scope, 'f', { unit: 's' });
  for (let i = 0; i < 5; i++) h.record(0.1, { i });
  h.record(0.1, { i: 0 });
  const points = (await histograms(store))[0]!.dataPoints.map((p) => [p.attributes, p.value.count]);
  expect(points).toEqual([
    [{ i: 0 }, 2],
    [{ i: 1 }, 1],
    [{ 'otel.metric.overflow': true }, 3],
  ]);
});

it('gives a delta reader what happened since its last collection, without touching what a cumulative one reads', async () => {
  const store = new HistogramStore({ resource, secondsBuckets: [1] });
  const delta = store.producer(AggregationTemporality.DELTA);
  const h = store.histogram(scope, 'g', { unit: 's' });
  h.record(0.5, { a: 1 });
  h.record(2, { a: 1 });
  const first = metricsOf((await delta.collect()).resourceMetrics)[0]!;
  expect(first.aggregationTemporality).toBe(AggregationTemporality.DELTA);
  expect(first.dataPoints[0]!.value).toEqual({ buckets: { boundaries: [1], counts: [1, 1] }, sum: 2.5, count: 2 });
  h.record(0.25, { a: 1 });
  h.record(0.5, { a: 2 });
  const second = metricsOf((await delta.collect()).resourceMetrics)[0]!;
  expect(second.dataPoints.map((p) => [p.attributes, p.value.count, p.value.sum, p.value.buckets.counts])).toEqual([
    [{ a: 1 }, 1, 0.25, [1, 0]],
    [{ a: 2 }, 1, 0.5, [1, 0]],
  ]);
  // The second point's interval starts where the first collection ended.
  expect(second.dataPoints[0]!.startTime).toEqual(first.dataPoints[0]!.endTime);
  expect(metricsOf((await delta.collect()).resourceMetrics)).toEqual([]);
  expect((await histograms(store))[0]!.dataPoints.map((p) => p.value.count)).toEqual([3, 1]);
});

it('as the installed provider: its histograms reach an SDK reader beside the SDK\'s own instruments, one histogram asked for twice sharing its points', async () => {
  const store = new HistogramStore({ resource, secondsBuckets: [1] });
  const reader = new InProcessReader({ metricProducers: [store.producer(AggregationTemporality.CUMULATIVE)] });
  const sdk = new MeterProvider({ resource, readers: [reader] });
  const provider = new StoreMeterProvider(sdk, store);
  const meter = provider.getMeter('test.scope', '1.0.0');
  expect(provider.getMeter('test.scope', '1.0.0')).toBe(meter);
  meter.createHistogram('h.duration', { unit: 's' }).record(0.5);
  meter.createHistogram('h.duration', { unit: 's' }).record(1.5);
  meter.createCounter('c.total').add(3);
  const { resourceMetrics } = await reader.collect();
  const byName = new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => [m.descriptor.name, { scope: s.scope, metric: m }] as const)));
  expect(byName.get('c.total')?.metric.dataPointType).toBe(DataPointType.SUM);
  const histogram = byName.get('h.duration')!;
  expect(histogram.scope).toEqual({ name: 'test.scope', version: '1.0.0' });
  expect((histogram.metric as HistogramMetricData).dataPoints[0]!.value).toMatchObject({ count: 2, sum: 2, buckets: { counts: [1, 1] } });
  await sdk.shutdown();
});
