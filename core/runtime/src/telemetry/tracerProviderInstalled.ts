/**
 * Whether spans record anywhere at all, for code that would do work of its own around a span
 * (extract a traceparent, build attributes, enter a context) and wants to skip it while none would.
 */
import { ProxyTracer, trace } from '@opentelemetry/api';
import { telemetryState } from '@plugboard/plugin-api/internal';

let generation = -1;
let installed = false;

/**
 * True when a TracerProvider is installed through `installTracerProvider`. Asks the API once per
 * install or removal, then costs one integer compare per call. With none installed the API's
 * global provider (a proxy with no delegate) hands out ProxyTracers, which is what is checked.
 *
 * @example
 * if (tracerProviderInstalled()) return context.with(trace.setSpan(parent, span), next);
 */
export function tracerProviderInstalled(): boolean {
  if (generation !== telemetryState.tracerGeneration) {
    generation = telemetryState.tracerGeneration;
    installed = !(trace.getTracer('plugboard.telemetry.probe') instanceof ProxyTracer);
  }
  return installed;
}
