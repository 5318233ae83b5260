/**
 * The switch that a telemetry plugin throws. `@opentelemetry/api` has no proxy for metrics: a
 * meter taken before a MeterProvider is set stays a no-op forever, and after `trace.disable()`
 * tracers already handed out stay on the old provider. Installing through here instead bumps a
 * generation that every forwarding instrument and tracer checks, so plugins that started earlier
 * record through whatever provider is installed now. Call these, never the API's
 * `setGlobalMeterProvider`/`setGlobalTracerProvider`, which forwarding instruments do not see.
 */
import { metrics, trace } from '@opentelemetry/api';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { PlugboardError } from '../errors/PlugboardError.js';
import { telemetryState } from './state.js';

/**
 * Installs (or with undefined removes) the process's MeterProvider: sets the OTel global and
 * rebinds every forwarding instrument. The metrics plugin calls it in setup and with undefined on
 * stop. Throws `invalidState` when another copy of `@opentelemetry/api` owns the global; the
 * instruments are then left on the no-op meter rather than on the previous provider.
 *
 * @example
 * const provider = new MeterProvider({ readers: [prometheus] });
 * installMeterProvider(provider);
 * ctx.onStop(async () => {
 *   installMeterProvider(undefined);
 *   await provider.shutdown();
 * });
 */
export function installMeterProvider(provider: MeterProvider | undefined): void {
  metrics.disable();
  const installed = provider === undefined || metrics.setGlobalMeterProvider(provider);
  telemetryState.meterGeneration++;
  for (const meter of telemetryState.meters) meter.rebind();
  if (!installed) throw refused('MeterProvider');
}

/**
 * Installs (or with undefined removes) the process's TracerProvider: sets the OTel global, and
 * every forwarding tracer fetches its tracer anew on its next span.
 *
 * @example
 * const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(otlp)] });
 * installTracerProvider(provider);
 * ctx.onStop(async () => {
 *   installTracerProvider(undefined);
 *   await provider.shutdown();
 * });
 */
export function installTracerProvider(provider: TracerProvider | undefined): void {
  trace.disable();
  const installed = provider === undefined || trace.setGlobalTracerProvider(provider);
  telemetryState.tracerGeneration++;
  if (!installed) throw refused('TracerProvider');
}

function refused(what: string): PlugboardError {
  return new PlugboardError(
    'invalidState',
    `The ${what} could not be installed: @opentelemetry/api refused to register it, because another copy of the API of a different version owns the global. Make every package use @opentelemetry/api 1.9.1, deduplicated to one copy.`,
  );
}
