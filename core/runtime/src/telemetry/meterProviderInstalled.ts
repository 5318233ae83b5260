/**
 * Whether instruments record anywhere at all, for code that would do work of its own before
 * calling one (read the clock, build attributes) and wants to skip it while none would record.
 */
import { createNoopMeter, metrics } from '@opentelemetry/api';
import { telemetryState } from '@plugboard/plugin-api/internal';

let generation = -1;
let installed = false;

/**
 * True when a MeterProvider is installed through `installMeterProvider`. Asks the API once per
 * install or removal, then costs one integer compare per call. With none installed the API hands
 * out its one no-op meter (`createNoopMeter()` returns that same object), which is what is compared.
 *
 * @example
 * if (meterProviderInstalled()) histogram.record((performance.now() - started) / 1000, attributesOf(c));
 */
export function meterProviderInstalled(): boolean {
  if (generation !== telemetryState.meterGeneration) {
    generation = telemetryState.meterGeneration;
    // An SDK meter with no instruments exports nothing, so the probe leaves no trace.
    installed = metrics.getMeterProvider().getMeter('plugboard.telemetry.probe') !== createNoopMeter();
  }
  return installed;
}
