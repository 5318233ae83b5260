/**
 * The instruments a forwarding meter hands out. Synchronous ones re-create their delegate lazily:
 * each call compares one integer with the switch's generation and, only when a provider was
 * installed or removed since, asks the meter for a fresh delegate; nothing is allocated per call.
 * Observable ones cannot wait for a call (the SDK pulls them at collection), so their meter moves
 * them eagerly when the switch rebinds it; they keep their callbacks to re-add on each move.
 */
import type { Context, Counter, Histogram, Meter, MetricAttributes, Observable, ObservableCallback } from '@opentelemetry/api';
import { telemetryState } from '@plugboard/plugin-api/internal';

/** The meter of the current generation, as the owning forwarding meter caches it. */
export type CurrentMeter = () => Meter;

/**
 * Reaches the delegate of a forwarding observable, by a registry symbol rather than a class so
 * that batch callbacks map observables made by another copy of core too.
 */
export const observableDelegate = Symbol.for('plugboard.telemetry.observableDelegate');

abstract class ForwardingSyncInstrument<D> {
  protected delegate: D;
  protected generation: number;
  readonly #meter: CurrentMeter;
  readonly #create: (meter: Meter) => D;

  constructor(meter: CurrentMeter, create: (meter: Meter) => D) {
    this.#meter = meter;
    this.#create = create;
    this.generation = telemetryState.meterGeneration;
    this.delegate = create(meter());
  }

  protected rebind(): void {
    this.generation = telemetryState.meterGeneration;
    this.delegate = this.#create(this.#meter());
  }
}

/** A Counter or UpDownCounter. */
export class ForwardingAdder extends ForwardingSyncInstrument<Counter> implements Counter {
  add(value: number, attributes?: MetricAttributes, context?: Context): void {
    if (this.generation !== telemetryState.meterGeneration) this.rebind();
    this.delegate.add(value, attributes, context);
  }
}

/** A Histogram or Gauge. */
export class ForwardingRecorder extends ForwardingSyncInstrument<Histogram> implements Histogram {
  record(value: number, attributes?: MetricAttributes, context?: Context): void {
    if (this.generation !== telemetryState.meterGeneration) this.rebind();
    this.delegate.record(value, attributes, context);
  }
}

/** An ObservableGauge, ObservableCounter or ObservableUpDownCounter. */
export class ForwardingObservable implements Observable {
  readonly #callbacks = new Set<ObservableCallback>();
  readonly #meter: CurrentMeter;
  readonly #create: (meter: Meter) => Observable;
  #delegate: Observable;
  #generation: number;
  #detached = false;

  constructor(meter: CurrentMeter, create: (meter: Meter) => Observable) {
    this.#meter = meter;
    this.#create = create;
    this.#generation = telemetryState.meterGeneration;
    this.#delegate = create(meter());
  }

  addCallback(callback: ObservableCallback): void {
    if (this.#detached || this.#callbacks.has(callback)) return;
    this.#callbacks.add(callback);
    this[observableDelegate]().addCallback(callback);
  }

  removeCallback(callback: ObservableCallback): void {
    if (!this.#callbacks.delete(callback)) return;
    this.#delegate.removeCallback(callback);
  }

  /** The delegate on the current provider, moving the callbacks there first if it changed. */
  [observableDelegate](): Observable {
    if (this.#generation !== telemetryState.meterGeneration && !this.#detached) {
      const next = this.#create(this.#meter());
      for (const callback of this.#callbacks) {
        this.#delegate.removeCallback(callback);
        next.addCallback(callback);
      }
      this.#delegate = next;
      this.#generation = telemetryState.meterGeneration;
    }
    return this.#delegate;
  }

  /** Takes every callback off the delegate for good: the owning meter was closed. */
  detach(): void {
    for (const callback of this.#callbacks) this.#delegate.removeCallback(callback);
    this.#callbacks.clear();
    this.#detached = true;
  }
}
