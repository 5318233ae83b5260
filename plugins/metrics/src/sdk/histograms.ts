/**
 * Synchronous histograms aggregated here and handed to the SDK's readers as a MetricProducer, so
 * `/metrics`, the in-process reader and OTLP read them beside the SDK's own instruments.
 *
 * Why not the SDK's: its `Histogram.record` finds the point's accumulation by a hash of the
 * attributes that it makes on every record (the keys sorted, then `JSON.stringify`): about 1.5 µs
 * with six attributes, the largest single cost of metrics on a request (two records per request,
 * one more per statement). Here an attribute set that its caller made once and froze
 * (`Object.freeze`) is found by identity, one Map lookup; any other set is hashed as the SDK
 * does. What the SDK's explicit-bucket aggregation reports, this reports alike: the bucket
 * bounds of the view (`secondsBuckets` for unit `s`, else the instrument's advice, else the
 * SDK's defaults), inclusive upper bounds, sum, count, min and max, cumulative or delta per reader,
 * and at most `cardinalityLimit` points per histogram, later attribute sets going to the point
 * `otel.metric.overflow=true`.
 */
import {
  diag,
  ValueType,
  type Attributes,
  type BatchObservableCallback,
  type Counter,
  type Gauge,
  type Histogram,
  type Meter,
  type MeterOptions,
  type MeterProvider,
  type MetricOptions,
  type Observable,
  type ObservableCounter,
  type ObservableGauge,
  type ObservableUpDownCounter,
  type UpDownCounter,
} from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type HistogramMetricData,
  type MetricProducer,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';

/** The SDK's default bounds of an explicit-bucket histogram (milliseconds-sized). */
export const SDK_DEFAULT_BOUNDARIES: readonly number[] = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/** The SDK's default limit of points per metric stream. */
export const DEFAULT_CARDINALITY_LIMIT = 2000;

const OVERFLOW: Attributes = Object.freeze({ 'otel.metric.overflow': true });

type HrTime = [number, number];

interface Scope {
  name: string;
  version?: string;
  schemaUrl?: string;
}

/** One string per instrumentation scope, for the maps of histograms, meters and collected scopes. */
function scopeKey(scope: Scope): string {
  return `${scope.name}\u0000${scope.version ?? ''}\u0000${scope.schemaUrl ?? ''}`;
}

/** One attribute set's point. */
interface Cell {
  readonly attributes: Attributes;
  readonly start: HrTime;
  /** One per bucket: `boundaries.length + 1`, the last for values above every bound. */
  readonly counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** What a delta reader reported of a cell last time. */
interface Reported {
  counts: number[];
  sum: number;
  count: number;
}

/** One histogram (scope and name): its points by attribute set. */
class HistogramState {
  /** Frozen attribute sets by identity, pointing at the cell of their content. */
  readonly #byObject = new Map<object, Cell>();
  readonly #byKey = new Map<string, Cell>();
  readonly scopeKey: string;

  constructor(
    readonly scope: Scope,
    readonly name: string,
    readonly description: string,
    readonly unit: string,
    readonly valueType: ValueType,
    readonly boundaries: readonly number[],
    private readonly cardinalityLimit: number,
  ) {
    this.scopeKey = scopeKey(scope);
  }

  record(value: number, attributes: Attributes): void {
    let cell = Object.isFrozen(attributes) ? this.#byObject.get(attributes) : undefined;
    if (cell === undefined) cell = this.#cellOf(attributes);
    const bounds = this.boundaries;
    // Inclusive upper bounds: a value equal to a bound counts in that bound's bucket.
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    cell.counts[bucket]!++;
    cell.sum += value;
    cell.count++;
    if (value < cell.min) cell.min = value;
    if (value > cell.max) cell.max = value;
  }

  get cells(): IterableIterator<Cell> {
    return this.#byKey.values();
  }

  #cellOf(attributes: Attributes): Cell {
    const key = hashAttributes(attributes);
    let cell = this.#byKey.get(key);
    if (cell === undefined) {
      // The last point of the limit is the overflow point's.
      if (this.#byKey.size >= this.cardinalityLimit - 1 && key !== OVERFLOW_KEY) return this.#byKey.get(OVERFLOW_KEY) ?? this.#cellOf(OVERFLOW);
      cell = { attributes: { ...attributes }, start: hrTime() as HrTime, counts: new Array<number>(this.boundaries.length + 1).fill(0), sum: 0, count: 0, min: Infinity, max: -Infinity };
      this.#byKey.set(key, cell);
    }
    if (Object.isFrozen(attributes)) {
      // Bounded even when a caller freezes a new object per record.
      if (this.#byObject.size >= 4 * this.cardinalityLimit) this.#byObject.clear();
      this.#byObject.set(attributes, cell);
    }
    return cell;
  }
}

/** The key of an attribute set, whatever the order of its keys. */
function hashAttributes(attributes: Attributes): string {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return '';
  keys.sort();
  return JSON.stringify(keys.map((k) => [k, attributes[k]]));
}

const OVERFLOW_KEY = hashAttributes(OVERFLOW);

/** The API's Histogram over one state; as the SDK's, it drops what is not a non-negative number. */
class RecordingHistogram implements Histogram {
  constructor(private readonly state: HistogramState) {}

  record(value: number, attributes: Attributes = {}): void {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      diag.warn(`Histogram ${this.state.name}: ${String(value)} is not a number; not recorded.`);
      return;
    }
    if (value < 0) {
      diag.warn(`Histogram ${this.state.name}: negative value ${value} not recorded (a histogram takes values of 0 or more).`);
      return;
    }
    this.state.record(this.state.valueType === ValueType.INT ? Math.trunc(value) : value, attributes);
  }
}

export interface HistogramStoreOptions {
  resource: Resource;
  /** Bucket bounds of every histogram of unit `s` (the view of createSdk.ts). */
  secondsBuckets: readonly number[];
  /** Points per histogram at most. */
  cardinalityLimit?: number;
}

/**
 * @example
 * const store = new HistogramStore({ resource, secondsBuckets: [0.01, 0.1, 1] });
 * const reader = new InProcessReader({ metricProducers: [store.producer(AggregationTemporality.CUMULATIVE)] });
 * store.histogram({ name: 'plugboard.http' }, 'http.server.request.duration', { unit: 's' }).record(0.02, Object.freeze({ 'http.route': '/a' }));
 */
export class HistogramStore {
  readonly #states = new Map<string, HistogramState>();
  readonly #limit: number;

  constructor(private readonly options: HistogramStoreOptions) {
    this.#limit = options.cardinalityLimit ?? DEFAULT_CARDINALITY_LIMIT;
  }

  /** The histogram `name` of `scope`; asked twice, both record into the same points. */
  histogram(scope: Scope, name: string, options: MetricOptions = {}): Histogram {
    const key = `${scopeKey(scope)}\u0000${name}`;
    let state = this.#states.get(key);
    if (state === undefined) {
      const unit = options.unit ?? '';
      const boundaries = unit === 's' ? this.options.secondsBuckets : (options.advice?.explicitBucketBoundaries ?? SDK_DEFAULT_BOUNDARIES);
      state = new HistogramState(scope, name, options.description ?? '', unit, options.valueType ?? ValueType.DOUBLE, [...boundaries], this.#limit);
      this.#states.set(key, state);
    }
    return new RecordingHistogram(state);
  }

  /** A producer for one reader, in that reader's temporality. */
  producer(temporality: AggregationTemporality): MetricProducer {
    const reported = new WeakMap<Cell, Reported>();
    let lastCollection: HrTime | undefined;
    return {
      collect: async (): Promise<CollectionResult> => {
        const now = hrTime() as HrTime;
        const delta = temporality === AggregationTemporality.DELTA;
        const scopes = new Map<string, ScopeMetrics>();
        for (const state of this.#states.values()) {
          const dataPoints: HistogramMetricData['dataPoints'] = [];
          for (const cell of state.cells) {
            if (!delta) {
              dataPoints.push({
                attributes: cell.attributes,
                startTime: cell.start,
                endTime: now,
                value: { buckets: { boundaries: [...state.boundaries], counts: [...cell.counts] }, sum: cell.sum, count: cell.count, min: cell.min, max: cell.max },
              });
              continue;
            }
            const before = reported.get(cell);
            const count = cell.count - (before?.count ?? 0);
            if (count === 0) continue;
            dataPoints.push({
              attributes: cell.attributes,
              startTime: before !== undefined && lastCollection !== undefined ? lastCollection : cell.start,
              endTime: now,
              // The interval's min and max are not kept: a delta point goes without them.
              value: { buckets: { boundaries: [...state.boundaries], counts: cell.counts.map((c, i) => c - (before?.counts[i] ?? 0)) }, sum: cell.sum - (before?.sum ?? 0), count },
            });
            reported.set(cell, { counts: [...cell.counts], sum: cell.sum, count: cell.count });
          }
          if (dataPoints.length === 0) continue;
          let scopeMetrics = scopes.get(state.scopeKey);
          if (scopeMetrics === undefined) {
            scopeMetrics = { scope: { ...state.scope }, metrics: [] };
            scopes.set(state.scopeKey, scopeMetrics);
          }
          scopeMetrics.metrics.push({
            descriptor: { name: state.name, description: state.description, unit: state.unit, valueType: state.valueType },
            aggregationTemporality: temporality,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints,
          });
        }
        lastCollection = now;
        return { resourceMetrics: { resource: this.options.resource, scopeMetrics: [...scopes.values()] }, errors: [] };
      },
    };
  }
}

/**
 * The MeterProvider the plugin installs: the SDK's, except that its histograms record into a
 * HistogramStore. Every other instrument and callback is the SDK's own.
 *
 * @example
 * installMeterProvider(new StoreMeterProvider(sdkMeterProvider, store));
 */
export class StoreMeterProvider implements MeterProvider {
  readonly #meters = new Map<string, Meter>();

  constructor(
    private readonly sdk: MeterProvider,
    private readonly store: HistogramStore,
  ) {}

  getMeter(name: string, version?: string, options?: MeterOptions): Meter {
    const scope: Scope = {
      name,
      ...(version !== undefined ? { version } : {}),
      ...(options?.schemaUrl !== undefined ? { schemaUrl: options.schemaUrl } : {}),
    };
    const key = scopeKey(scope);
    let meter = this.#meters.get(key);
    if (meter === undefined) {
      meter = new StoreMeter(this.sdk.getMeter(name, version, options), this.store, scope);
      this.#meters.set(key, meter);
    }
    return meter;
  }
}

class StoreMeter implements Meter {
  constructor(
    private readonly sdk: Meter,
    private readonly store: HistogramStore,
    private readonly scope: Scope,
  ) {}

  createHistogram<A extends Attributes = Attributes>(name: string, options?: MetricOptions): Histogram<A> {
    return this.store.histogram(this.scope, name, options) as Histogram<A>;
  }

  createGauge<A extends Attributes = Attributes>(name: string, options?: MetricOptions): Gauge<A> {
    return this.sdk.createGauge<A>(name, options);
  }

  createCounter<A extends Attributes = Attributes>(name: string, options?: MetricOptions): Counter<A> {
    return this.sdk.createCounter<A>(name, options);
  }

  createUpDownCounter<A extends Attributes = Attributes>(name: string, options?: MetricOptions): UpDownCounter<A> {
    return this.sdk.createUpDownCounter<A>(name, options);
  }

  createObservableGauge<A extends Attributes = Attributes>(name: string, options?: MetricOptions): ObservableGauge<A> {
    return this.sdk.createObservableGauge<A>(name, options);
  }

  createObservableCounter<A extends Attributes = Attributes>(name: string, options?: MetricOptions): ObservableCounter<A> {
    return this.sdk.createObservableCounter<A>(name, options);
  }

  createObservableUpDownCounter<A extends Attributes = Attributes>(name: string, options?: MetricOptions): ObservableUpDownCounter<A> {
    return this.sdk.createObservableUpDownCounter<A>(name, options);
  }

  addBatchObservableCallback<A extends Attributes = Attributes>(callback: BatchObservableCallback<A>, observables: Observable<A>[]): void {
    this.sdk.addBatchObservableCallback(callback, observables);
  }

  removeBatchObservableCallback<A extends Attributes = Attributes>(callback: BatchObservableCallback<A>, observables: Observable<A>[]): void {
    this.sdk.removeBatchObservableCallback(callback, observables);
  }
}
