import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { plugboardErrorOf } from '../testing/errors.js';
import { TestMetricReader } from './__fixtures__/TestMetricReader.js';
import { createForwardingMeter } from './ForwardingMeter.js';
import { installMeterProvider, installTracerProvider } from '@plugboard/plugin-api';
import { telemetryState } from '@plugboard/plugin-api/internal';

afterEach(() => {
  installMeterProvider(undefined);
  installTracerProvider(undefined);
});

describe('installMeterProvider / installTracerProvider', () => {
  test('set and remove the OpenTelemetry globals', () => {
    const meterProvider = new MeterProvider();
    const tracerProvider = new BasicTracerProvider();
    installMeterProvider(meterProvider);
    installTracerProvider(tracerProvider);
    expect(metrics.getMeterProvider()).toBe(meterProvider);
    expect(trace.getTracerProvider().getTracer('x')).toBe(tracerProvider.getTracer('x'));
    installMeterProvider(undefined);
    installTracerProvider(undefined);
    expect(metrics.getMeterProvider()).not.toBe(meterProvider);
    expect(trace.getTracer('x').startSpan('s').isRecording()).toBe(false);
  });

  test('a second copy of core shares the switch, so its meters follow a provider installed by this one', async () => {
    vi.resetModules();
    const copy = await import('./ForwardingMeter.js');
    const copyState = (await import('@plugboard/plugin-api/internal')).telemetryState;
    expect(copy.createForwardingMeter).not.toBe(createForwardingMeter);
    expect(copyState).toBe(telemetryState);

    const bundled = copy.createForwardingMeter('third-party');
    const counter = bundled.createCounter('widgets');
    const gauge = bundled.createObservableGauge('widgets.open');
    gauge.addCallback((result) => result.observe(5));
    const reader = new TestMetricReader();
    installMeterProvider(new MeterProvider({ readers: [reader] }));
    counter.add(1);
    expect((await reader.points()).map((p) => [p.scope, p.name, p.value])).toEqual([
      ['third-party', 'widgets.open', 5],
      ['third-party', 'widgets', 1],
    ]);
    bundled.close();
  });

  test('refuse to install when another version of @opentelemetry/api owns the global, leaving instruments on the no-op', async () => {
    const apiGlobal = (globalThis as unknown as Record<symbol, { version: string }>)[Symbol.for('opentelemetry.js.api.1')]!;
    const realVersion = apiGlobal.version;
    const meter = createForwardingMeter('victim');
    const counter = meter.createCounter('calls');
    const before = new TestMetricReader();
    installMeterProvider(new MeterProvider({ readers: [before] }));
    apiGlobal.version = '1.8.0';
    try {
      const refused = await plugboardErrorOf(() => installMeterProvider(new MeterProvider()));
      expect(refused.kind).toBe('invalidState');
      expect(refused.message).toBe(
        'The MeterProvider could not be installed: @opentelemetry/api refused to register it, because another copy of the API of a different version owns the global. Make every package use @opentelemetry/api 1.9.1, deduplicated to one copy.',
      );
      expect((await plugboardErrorOf(() => installTracerProvider(new BasicTracerProvider()))).message).toMatch(/^The TracerProvider could not be installed: /);
      counter.add(1);
      expect(await before.points()).toEqual([]);
    } finally {
      apiGlobal.version = realVersion;
      meter.close();
    }
  });
});
