import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { definePlugin } from '@plugboard/plugin-api';
import type { PluginDefinition } from '@plugboard/plugin-api';
import { serviceRef } from '@plugboard/plugin-api';
import { TestMetricReader, type Point } from '../telemetry/__fixtures__/TestMetricReader.js';
import { installMeterProvider, installTracerProvider } from '@plugboard/plugin-api';
import { telemetryState } from '@plugboard/plugin-api/internal';
import { Kernel } from './Kernel.js';
import { loadedConfigOf } from './__fixtures__/loadedConfig.js';


interface Cache {
  lookup(key: string): string;
}
const cacheRef = serviceRef<Cache>('test.cache');

/** Like conversations: makes its instruments in setup, long before any provider exists. */
function cachePlugin(onStop: () => Promise<void> = async () => {}) {
  return definePlugin({
    name: 'cache',
    version: '2.3.4',
    core: '^0.1.0',
    provides: [cacheRef],
    setup(ctx) {
      const hits = ctx.meter.createCounter('plugboard.cache.hits');
      const size = ctx.meter.createObservableGauge('plugboard.cache.size');
      size.addCallback((result) => result.observe(3));
      ctx.provide(cacheRef, {
        lookup: (key) => ctx.tracer.startActiveSpan('cache.lookup', (span) => {
          hits.add(1, { key });
          span.end();
          return `value of ${key}`;
        }),
      });
      ctx.onStop(onStop);
    },
  });
}

/** The points the plugin's meter reported, without the kernel's own (scope plugboard.core). */
async function pluginPoints(reader: TestMetricReader): Promise<Point[]> {
  return (await reader.points()).filter((p) => p.scope !== 'plugboard.core');
}

const kernels: Kernel[] = [];
async function start(def: PluginDefinition<any>): Promise<Kernel> {
  const kernel = new Kernel({ config: loadedConfigOf([def]), logger: pino({ level: 'silent' }) });
  kernels.push(kernel);
  await kernel.start();
  return kernel;
}

afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
  installMeterProvider(undefined);
  installTracerProvider(undefined);
});

describe('ctx.meter and ctx.tracer', () => {
  test('a plugin started before the telemetry SDK records through it once installed, under its own scope', async () => {
    const kernel = await start(cachePlugin());
    const cache = kernel.registry.handle(cacheRef);
    cache.lookup('before');

    const reader = new TestMetricReader();
    installMeterProvider(new MeterProvider({ readers: [reader] }));
    const exporter = new InMemorySpanExporter();
    installTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    expect(cache.lookup('after')).toBe('value of after');
    cache.lookup('after');

    // The kernel's own metrics (scope plugboard.core, see telemetry/coreMetrics.test.ts) report beside the plugin's.
    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.scopeMetrics.map((s) => s.scope).filter((s) => s.name !== 'plugboard.core')).toEqual([
      { name: 'cache', version: '2.3.4', schemaUrl: undefined },
    ]);
    expect(await pluginPoints(reader)).toEqual([
      { scope: 'cache', name: 'plugboard.cache.size', attributes: {}, value: 3 },
      { scope: 'cache', name: 'plugboard.cache.hits', attributes: { key: 'after' }, value: 2 },
    ]);
    expect(exporter.getFinishedSpans().map((s) => [s.instrumentationScope.name, s.name])).toEqual([
      ['cache', 'cache.lookup'],
      ['cache', 'cache.lookup'],
    ]);
  });

  test("stopping the plugin closes its meter after its stop hooks: its gauges report during them, then never again", async () => {
    const reader = new TestMetricReader('delta');
    installMeterProvider(new MeterProvider({ readers: [reader] }));
    const seenDuringStop: string[] = [];
    const meters = telemetryState.meters.size;
    const kernel = await start(
      cachePlugin(async () => {
        for (const p of await pluginPoints(reader)) seenDuringStop.push(p.name);
      }),
    );
    // The plugin's meter, and the kernel's own (plugboard.core), which lives until kernel.stop().
    expect(telemetryState.meters.size).toBe(meters + 2);

    await kernel.disable('cache');
    expect(seenDuringStop).toEqual(['plugboard.cache.size']);
    expect(await pluginPoints(reader)).toEqual([]);
    expect(telemetryState.meters.size).toBe(meters + 1);
  });
});
