/**
 * Puts the SDK together: one MeterProvider (the in-process reader, plus OTLP when configured;
 * histograms recorded through the installed provider are aggregated by a HistogramStore that
 * both readers read as a producer),
 * one TracerProvider (the trace ring, plus OTLP when configured), the AsyncLocalStorage context
 * manager and the W3C propagators. `install()` makes them the process's, `uninstall()` undoes
 * that and shuts everything down, flushing the exporters.
 */
import { context, propagation, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, InstrumentType, MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { installMeterProvider, installTracerProvider } from '@plugboard/plugin-api';
import type { Logger } from 'pino';
import { InProcessReader } from '../reader/InProcessReader.js';
import { HistogramStore, StoreMeterProvider } from './histograms.js';
import { TraceRing } from '../traces/TraceRing.js';
import { otlpMetricExporter, otlpTraceExporter } from './otlp.js';
import { createSampler } from './sampler.js';

/**
 * The SDK whose providers are installed now. A reload that changes this plugin's config starts
 * the new instance before it stops the old one: the old one's stop must then shut its own
 * providers down without uninstalling the new instance's.
 */
let installed: Sdk | undefined;

export interface SdkOptions {
  resource: Resource;
  /** Bucket bounds of every histogram in seconds. */
  secondsBuckets: readonly number[];
  tracing: { enabled: boolean; sampleRatio: number; ringSize: number; maxSpansPerTrace: number; recentPerSecond: number; slowTraces: number; slowWindowMs: number };
  /** How often metrics are pushed over OTLP. */
  exportIntervalMs: number;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
}

export interface Sdk {
  meterProvider: MeterProvider;
  /** What `install()` installs: the SDK's provider with its histograms recorded by the store. Make this plugin's own instruments on it. */
  instruments: ApiMeterProvider;
  reader: InProcessReader;
  tracerProvider: BasicTracerProvider | undefined;
  ring: TraceRing;
  /** Which signals go out over OTLP. */
  otlp: { metrics: boolean; traces: boolean };
  install(): void;
  /** Undoes install, then flushes and shuts down both providers. Never throws; logs failures. */
  uninstall(): Promise<void>;
}

/**
 * @example
 * const sdk = createSdk({ resource, secondsBuckets: [0.01, 0.1, 1], tracing, exportIntervalMs: 60_000, logger });
 * sdk.install();
 * ctx.onStop(() => sdk.uninstall());
 */
export function createSdk(options: SdkOptions): Sdk {
  const env = options.env ?? process.env;
  // Histograms are aggregated by the store and read by every reader as a producer (histograms.ts).
  const histograms = new HistogramStore({ resource: options.resource, secondsBuckets: options.secondsBuckets });
  const reader = new InProcessReader({ metricProducers: [histograms.producer(AggregationTemporality.CUMULATIVE)] });
  const readers: MetricReader[] = [reader];
  const metricExporter = otlpMetricExporter(env);
  if (metricExporter !== undefined) {
    const fromEnv = Number(env['OTEL_METRIC_EXPORT_INTERVAL']);
    const interval = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : options.exportIntervalMs;
    const temporality = metricExporter.selectAggregationTemporality?.(InstrumentType.HISTOGRAM) ?? AggregationTemporality.CUMULATIVE;
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: metricExporter,
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(interval, 30_000),
        metricProducers: [histograms.producer(temporality)],
      }),
    );
  }
  const meterProvider = new MeterProvider({
    resource: options.resource,
    readers,
    // The SDK's default buckets are millisecond-sized; every duration here is in seconds. For the
    // histograms made through `instruments` the store applies the same bounds; this view stays for
    // any made on the SDK's provider directly.
    views: [
      {
        instrumentType: InstrumentType.HISTOGRAM,
        instrumentUnit: 's',
        aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...options.secondsBuckets] } },
      },
    ],
  });
  const instruments = new StoreMeterProvider(meterProvider, histograms);

  const { ringSize, maxSpansPerTrace, recentPerSecond, slowTraces, slowWindowMs } = options.tracing;
  const ring = new TraceRing({ maxTraces: ringSize, maxSpansPerTrace, recentPerSecond, slowTraces, slowWindowMs });
  const traceExporter = options.tracing.enabled ? otlpTraceExporter(env) : undefined;
  let tracerProvider: BasicTracerProvider | undefined;
  if (options.tracing.enabled) {
    const spanProcessors: SpanProcessor[] = [ring];
    if (traceExporter !== undefined) spanProcessors.push(new BatchSpanProcessor(traceExporter));
    tracerProvider = new BasicTracerProvider({ resource: options.resource, sampler: createSampler(options.tracing.sampleRatio, env), spanProcessors });
  }
  const contextManager = new AsyncLocalStorageContextManager();

  const sdk: Sdk = {
    meterProvider,
    instruments,
    reader,
    tracerProvider,
    ring,
    otlp: { metrics: metricExporter !== undefined, traces: traceExporter !== undefined },
    install() {
      // The API refuses a second context manager or propagator: a previous instance's go first.
      propagation.disable();
      context.disable();
      installMeterProvider(instruments);
      if (tracerProvider !== undefined) {
        context.setGlobalContextManager(contextManager.enable());
        propagation.setGlobalPropagator(
          new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
        );
        installTracerProvider(tracerProvider);
      } else {
        installTracerProvider(undefined);
      }
      installed = sdk;
    },
    async uninstall() {
      if (installed === sdk) {
        installed = undefined;
        installMeterProvider(undefined);
        installTracerProvider(undefined);
        propagation.disable();
        context.disable();
      }
      contextManager.disable();
      const results = await Promise.allSettled([meterProvider.shutdown(), tracerProvider?.shutdown()]);
      for (const r of results) {
        if (r.status === 'rejected') options.logger.warn({ err: r.reason }, 'The OpenTelemetry SDK did not shut down cleanly; some data may not have been exported.');
      }
    },
  };
  return sdk;
}
