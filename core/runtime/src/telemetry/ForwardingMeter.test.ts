import type { BatchObservableCallback, ObservableCallback } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, test } from 'vitest';
import { TestMetricReader } from './__fixtures__/TestMetricReader.js';
import { createForwardingMeter, type ForwardingMeter } from './ForwardingMeter.js';
import { installMeterProvider } from '@plugboard/plugin-api';
import { telemetryState } from '@plugboard/plugin-api/internal';

/** A fresh SDK provider with one pull reader, as plugins/metrics would install. */
function sdk(temporality: 'cumulative' | 'delta' = 'cumulative') {
  const reader = new TestMetricReader(temporality);
  return { provider: new MeterProvider({ readers: [reader] }), reader };
}

const opened: ForwardingMeter[] = [];
function meter(name = 'test-plugin'): ForwardingMeter {
  const m = createForwardingMeter(name, '1.0.0');
  opened.push(m);
  return m;
}

afterEach(() => {
  installMeterProvider(undefined);
  for (const m of opened.splice(0)) m.close();
});

describe('createForwardingMeter', () => {
  test('synchronous instruments made before any provider record through each provider installed later, and nowhere once removed', async () => {
    const m = meter();
    const hits = m.createCounter('plugboard.cache.hits');
    const latency = m.createHistogram('plugboard.cache.latency', { unit: 's' });
    hits.add(5);
    latency.record(9);

    const first = sdk();
    installMeterProvider(first.provider);
    hits.add(2, { cache: 'users' });
    latency.record(0.5);
    expect(await first.reader.points()).toEqual([
      { scope: 'test-plugin', name: 'plugboard.cache.hits', attributes: { cache: 'users' }, value: 2 },
      { scope: 'test-plugin', name: 'plugboard.cache.latency', attributes: {}, value: { count: 1, sum: 0.5 } },
    ]);

    const second = sdk();
    installMeterProvider(second.provider);
    hits.add(3, { cache: 'users' });
    latency.record(1.5);
    latency.record(2);
    expect(await second.reader.points()).toEqual([
      { scope: 'test-plugin', name: 'plugboard.cache.hits', attributes: { cache: 'users' }, value: 3 },
      { scope: 'test-plugin', name: 'plugboard.cache.latency', attributes: {}, value: { count: 2, sum: 3.5 } },
    ]);
    expect((await first.reader.points()).map((p) => p.value)).toEqual([2, { count: 1, sum: 0.5 }]);

    installMeterProvider(undefined);
    expect(() => {
      hits.add(7);
      latency.record(7);
    }).not.toThrow();
    expect((await first.reader.points()).map((p) => p.value)).toEqual([2, { count: 1, sum: 0.5 }]);
    expect((await second.reader.points()).map((p) => p.value)).toEqual([3, { count: 2, sum: 3.5 }]);
  });

  test('up-down counters and gauges follow the provider too, keeping their options', async () => {
    const m = meter();
    const depth = m.createUpDownCounter('plugboard.batch.queue.depth');
    const temperature = m.createGauge('model.temperature', { description: 'Sampling temperature' });
    const { provider, reader } = sdk();
    installMeterProvider(provider);
    depth.add(4);
    depth.add(-1);
    temperature.record(0.7);
    expect(await reader.points()).toEqual([
      { scope: 'test-plugin', name: 'plugboard.batch.queue.depth', attributes: {}, value: 3 },
      { scope: 'test-plugin', name: 'model.temperature', attributes: {}, value: 0.7 },
    ]);
    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.scopeMetrics[0]!.metrics[1]!.descriptor.description).toBe('Sampling temperature');
  });

  test('an observable gauge reports through whichever provider is installed, and not after close', async () => {
    const m = meter();
    let calls = 0;
    const gauge = m.createObservableGauge('plugboard.sessions.open');
    gauge.addCallback((result) => {
      calls++;
      result.observe(12, { region: 'eu' });
    });

    const first = sdk('delta');
    installMeterProvider(first.provider);
    expect(await first.reader.points()).toEqual([
      { scope: 'test-plugin', name: 'plugboard.sessions.open', attributes: { region: 'eu' }, value: 12 },
    ]);
    expect(calls).toBe(1);

    const second = sdk('delta');
    installMeterProvider(second.provider);
    expect(await second.reader.points()).toEqual([
      { scope: 'test-plugin', name: 'plugboard.sessions.open', attributes: { region: 'eu' }, value: 12 },
    ]);
    await first.reader.collect();
    expect(calls).toBe(2);

    m.close();
    const third = sdk('delta');
    installMeterProvider(third.provider);
    expect(await second.reader.points()).toEqual([]);
    expect(await third.reader.points()).toEqual([]);
    expect(calls).toBe(2);
    gauge.addCallback((result) => result.observe(1));
    expect(await third.reader.points()).toEqual([]);
  });

  test('observable counters keep their callbacks list across providers: one removed stops reporting', async () => {
    const m = meter();
    const requests = m.createObservableCounter('plugboard.requests');
    const errors = m.createObservableUpDownCounter('plugboard.errors.open');
    const countRequests: ObservableCallback = (result) => result.observe(40);
    requests.addCallback(countRequests);
    requests.addCallback(countRequests);
    errors.addCallback((result) => result.observe(2));

    const first = sdk();
    installMeterProvider(first.provider);
    requests.removeCallback(countRequests);
    const second = sdk();
    installMeterProvider(second.provider);
    expect(await second.reader.points()).toEqual([{ scope: 'test-plugin', name: 'plugboard.errors.open', attributes: {}, value: 2 }]);
    requests.addCallback(countRequests);
    expect((await second.reader.points()).map((p) => [p.name, p.value])).toEqual([
      ['plugboard.requests', 40],
      ['plugboard.errors.open', 2],
    ]);
  });

  test('a batch callback observes forwarding observables on each provider, and stops after close', async () => {
    const m = meter();
    const used = m.createObservableGauge('plugboard.pool.used');
    const idle = m.createObservableGauge('plugboard.pool.idle');
    let calls = 0;
    const observePool: BatchObservableCallback = (result) => {
      calls++;
      result.observe(used, 3);
      result.observe(idle, 7, { pool: 'main' });
    };
    m.addBatchObservableCallback(observePool, [used, idle]);
    m.addBatchObservableCallback(observePool, [idle, used]);

    const expected = [
      { scope: 'test-plugin', name: 'plugboard.pool.used', attributes: {}, value: 3 },
      { scope: 'test-plugin', name: 'plugboard.pool.idle', attributes: { pool: 'main' }, value: 7 },
    ];
    const first = sdk('delta');
    installMeterProvider(first.provider);
    expect(await first.reader.points()).toEqual(expected);
    const second = sdk('delta');
    installMeterProvider(second.provider);
    expect(await second.reader.points()).toEqual(expected);
    await first.reader.collect();
    expect(calls).toBe(2);

    m.removeBatchObservableCallback(observePool, [idle, used]);
    const third = sdk('delta');
    installMeterProvider(third.provider);
    expect(await third.reader.points()).toEqual([]);
    m.addBatchObservableCallback(observePool, [used, idle]);
    expect(await third.reader.points()).toEqual(expected);

    m.close();
    expect(await third.reader.points()).toEqual([]);
    expect(calls).toBe(3);
  });

  test('close drops the meter from the switch, so meters of stopped plugins do not pile up', () => {
    const before = telemetryState.meters.size;
    const m = createForwardingMeter('short-lived');
    expect(telemetryState.meters.size).toBe(before + 1);
    m.close();
    m.close();
    expect(telemetryState.meters.size).toBe(before);
  });

  test('each meter records under its own instrumentation scope', async () => {
    const { provider, reader } = sdk('delta');
    installMeterProvider(provider);
    meter('alpha').createCounter('calls').add(1);
    meter('beta').createCounter('calls').add(2);
    expect((await reader.points()).map((p) => [p.scope, p.value])).toEqual([
      ['alpha', 1],
      ['beta', 2],
    ]);
  });
});
