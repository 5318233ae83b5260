/**
 * One seconds histogram per name for the metrics collector API, made once and kept: each
 * follows `installMeterProvider` the way `ctx.meter`'s instruments do (one integer compare per
 * call; a new delegate only after a provider was installed or removed), and says whether
 * anything records, so a timer skips reading the clock while nothing would.
 */
import { createNoopMeter, metrics, type Histogram } from '@opentelemetry/api';
import { PlugboardError } from '../errors/PlugboardError.js';
import { telemetryState } from '../telemetry/state.js';

/** Attributes a duration may carry: OpenTelemetry's primitive attribute values. */
export type TimerAttributes = Readonly<Record<string, string | number | boolean>>;

/** The instrumentation scope of the durations recorded through the collector API. */
export const COLLECTOR_SCOPE = 'plugboard.collector';

/** OpenTelemetry's instrument name syntax. */
const NAME = /^[A-Za-z][A-Za-z0-9_.\-/]{0,254}$/;

export class DurationHistogram {
  #generation = -1;
  #delegate!: Histogram;
  #recording = false;

  constructor(readonly name: string) {}

  /** True while a MeterProvider is installed, so a measurement would be kept. */
  get recording(): boolean {
    if (this.#generation !== telemetryState.meterGeneration) this.#rebind();
    return this.#recording;
  }

  record(seconds: number, attributes?: TimerAttributes): void {
    if (this.#generation !== telemetryState.meterGeneration) this.#rebind();
    this.#delegate.record(seconds, attributes);
  }

  #rebind(): void {
    this.#generation = telemetryState.meterGeneration;
    const meter = metrics.getMeter(COLLECTOR_SCOPE);
    this.#recording = meter !== createNoopMeter();
    this.#delegate = meter.createHistogram(this.name, { unit: 's', description: `Duration of ${this.name}.` });
  }
}

const histograms = new Map<string, DurationHistogram>();

/**
 * The histogram named `name`, made on first use and the same object afterwards. Throws
 * `invalidArgument` for a name OpenTelemetry would refuse.
 *
 * @example
 * durationHistogram('plugboard.reply.duration').record(0.12, { 'gen_ai.request.model': 'gpt-4o' });
 */
export function durationHistogram(name: string): DurationHistogram {
  let histogram = histograms.get(name);
  if (histogram === undefined) {
    if (!NAME.test(name)) {
      throw new PlugboardError(
        'invalidArgument',
        `'${name}' is not a valid metric name: start with a letter and use only letters, digits, '_', '.', '-' and '/' (at most 255 characters), for example 'plugboard.reply.duration'.`,
      );
    }
    histogram = new DurationHistogram(name);
    histograms.set(name, histogram);
  }
  return histogram;
}
