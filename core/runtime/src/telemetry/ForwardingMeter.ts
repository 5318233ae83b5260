/**
 * A Meter that survives the MeterProvider being installed, removed or replaced after it was made:
 * what a plugin gets as `ctx.meter`. See providers.ts for the switch and forwardingInstruments.ts
 * for how each instrument follows it.
 */
import { metrics } from '@opentelemetry/api';
import type {
  BatchObservableCallback,
  BatchObservableResult,
  Counter,
  Gauge,
  Histogram,
  Meter,
  MetricAttributes,
  MetricOptions,
  Observable,
  ObservableCounter,
  ObservableGauge,
  ObservableUpDownCounter,
  UpDownCounter,
} from '@opentelemetry/api';
import { ForwardingAdder, ForwardingObservable, ForwardingRecorder, observableDelegate } from './forwardingInstruments.js';
import { telemetryState } from '@plugboard/plugin-api/internal';

export type ForwardingMeter = Meter & {
  /**
   * Takes every observable and batch callback off the provider for good and leaves the switch's
   * set of live meters. Synchronous instruments keep forwarding (a late call from a stopped
   * plugin is recorded, not an error); observables made or callbacks added afterwards report nothing.
   */
  close(): void;
};

interface BatchRegistration {
  callback: BatchObservableCallback;
  observables: Observable[];
  /** What the delegate meter holds: maps forwarding observables to their delegates on observe. */
  wrapped: BatchObservableCallback;
  /** Where `wrapped` is registered now, to take it off again. */
  meter: Meter;
  delegates: Observable[];
}

/**
 * Makes a meter named `name` (the instrumentation scope) whose instruments always record through
 * the MeterProvider installed now by `installMeterProvider`, and are no-ops while none is.
 * Observable callbacks report until `close()`.
 *
 * @example
 * const meter = createForwardingMeter('conversations', '1.2.0');
 * const hits = meter.createCounter('plugboard.cache.hits');
 * hits.add(1); // a no-op until a provider is installed, then recorded there
 * meter.close();
 */
export function createForwardingMeter(name: string, version?: string): ForwardingMeter {
  const meter = new ForwardingMeterImpl(name, version);
  telemetryState.meters.add(meter);
  return meter;
}

class ForwardingMeterImpl implements ForwardingMeter {
  readonly #name: string;
  readonly #version: string | undefined;
  #meter: Meter;
  #generation: number;
  readonly #observables = new Set<ForwardingObservable>();
  readonly #batches: BatchRegistration[] = [];
  #closed = false;
  /** Bound once, handed to every instrument. */
  readonly #current = (): Meter => {
    if (this.#generation !== telemetryState.meterGeneration) {
      this.#meter = metrics.getMeter(this.#name, this.#version);
      this.#generation = telemetryState.meterGeneration;
    }
    return this.#meter;
  };

  constructor(name: string, version: string | undefined) {
    this.#name = name;
    this.#version = version;
    this.#meter = metrics.getMeter(name, version);
    this.#generation = telemetryState.meterGeneration;
  }

  createCounter<A extends MetricAttributes = MetricAttributes>(name: string, options?: MetricOptions): Counter<A> {
    return new ForwardingAdder(this.#current, (m) => m.createCounter(name, options));
  }

  createUpDownCounter<A extends MetricAttributes = MetricAttributes>(name: string, options?: MetricOptions): UpDownCounter<A> {
    return new ForwardingAdder(this.#current, (m) => m.createUpDownCounter(name, options));
  }

  createHistogram<A extends MetricAttributes = MetricAttributes>(name: string, options?: MetricOptions): Histogram<A> {
    return new ForwardingRecorder(this.#current, (m) => m.createHistogram(name, options));
  }

  createGauge<A extends MetricAttributes = MetricAttributes>(name: string, options?: MetricOptions): Gauge<A> {
    return new ForwardingRecorder(this.#current, (m) => m.createGauge(name, options));
  }

  createObservableGauge<A extends MetricAttributes = MetricAttributes>(name: string, options?: MetricOptions): ObservableGauge<A> {
    return this.#observable((m) => m.createObservableGauge(name, options));
  }

  createObservableCounter<A extends MetricAttributes = MetricAttributes>(name: string, options?: MetricOptions): ObservableCounter<A> {
    return this.#observable((m) => m.createObservableCounter(name, options));
  }

  createObservableUpDownCounter<A extends MetricAttributes = MetricAttributes>(
    name: string,
    options?: MetricOptions,
  ): ObservableUpDownCounter<A> {
    return this.#observable((m) => m.createObservableUpDownCounter(name, options));
  }

  addBatchObservableCallback<A extends MetricAttributes = MetricAttributes>(
    callback: BatchObservableCallback<A>,
    observables: Observable<A>[],
  ): void {
    const cb = callback as BatchObservableCallback;
    if (this.#closed || this.#batches.some((b) => sameBatch(b, cb, observables))) return;
    const wrapped: BatchObservableCallback = (result) =>
      cb({
        observe: (observable: Observable, value: number, attributes?: MetricAttributes) =>
          result.observe(delegateOf(observable), value, attributes),
      } satisfies BatchObservableResult);
    const registration: BatchRegistration = { callback: cb, observables: [...observables], wrapped, meter: this.#current(), delegates: [] };
    this.#attach(registration);
    this.#batches.push(registration);
  }

  removeBatchObservableCallback<A extends MetricAttributes = MetricAttributes>(
    callback: BatchObservableCallback<A>,
    observables: Observable<A>[],
  ): void {
    const index = this.#batches.findIndex((b) => sameBatch(b, callback as BatchObservableCallback, observables));
    if (index < 0) return;
    const [registration] = this.#batches.splice(index, 1);
    registration!.meter.removeBatchObservableCallback(registration!.wrapped, registration!.delegates);
  }

  /** Called by the switch after a provider change: moves observables and batch callbacks over. */
  rebind(): void {
    if (this.#closed) return;
    const meter = this.#current();
    for (const observable of this.#observables) observable[observableDelegate]();
    for (const registration of this.#batches) {
      registration.meter.removeBatchObservableCallback(registration.wrapped, registration.delegates);
      registration.meter = meter;
      this.#attach(registration);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    telemetryState.meters.delete(this);
    for (const registration of this.#batches) {
      registration.meter.removeBatchObservableCallback(registration.wrapped, registration.delegates);
    }
    this.#batches.length = 0;
    for (const observable of this.#observables) observable.detach();
    this.#observables.clear();
  }

  #observable(create: (meter: Meter) => Observable): Observable {
    const observable = new ForwardingObservable(this.#current, create);
    if (this.#closed) observable.detach();
    else this.#observables.add(observable);
    return observable;
  }

  #attach(registration: BatchRegistration): void {
    registration.delegates = registration.observables.map(delegateOf);
    registration.meter.addBatchObservableCallback(registration.wrapped, registration.delegates);
  }
}

function delegateOf(observable: Observable): Observable {
  const forwarding = observable as Partial<Record<typeof observableDelegate, () => Observable>>;
  return forwarding[observableDelegate]?.() ?? observable;
}

function sameBatch(registration: BatchRegistration, callback: BatchObservableCallback, observables: readonly Observable[]): boolean {
  return (
    registration.callback === callback &&
    registration.observables.length === observables.length &&
    observables.every((o) => registration.observables.includes(o))
  );
}
