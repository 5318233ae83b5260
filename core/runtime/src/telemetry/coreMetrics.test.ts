import { MeterProvider } from '@opentelemetry/sdk-metrics';
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import type { LoadedConfig } from '../kernel/loadConfig.js';
import { Kernel } from '../kernel/Kernel.js';
import { definePlugin } from '@plugboard/plugin-api';
import type { PluginDefinition } from '@plugboard/plugin-api';
import { serviceRef } from '@plugboard/plugin-api';
import { TestMetricReader, type Point } from './__fixtures__/TestMetricReader.js';
import { installMeterProvider } from '@plugboard/plugin-api';
import { telemetryState } from '@plugboard/plugin-api/internal';
import { loadedConfigOf } from '../kernel/__fixtures__/loadedConfig.js';


function plugin(name: string, setup: PluginDefinition<any>['setup'] = () => undefined): PluginDefinition<any> {
  return definePlugin({ name, version: '1.0.0', core: '^0.1.0', setup });
}

const kernels: Kernel[] = [];
function kernelOf(config: LoadedConfig): Kernel {
  const kernel = new Kernel({ config, logger: pino({ level: 'silent' }) });
  kernels.push(kernel);
  return kernel;
}

function sdk(temporality: 'cumulative' | 'delta' = 'cumulative'): TestMetricReader {
  const reader = new TestMetricReader(temporality);
  installMeterProvider(new MeterProvider({ readers: [reader] }));
  return reader;
}

/** The points of one instrument of scope `plugboard.core`, as [attributes, value] rows. */
async function pointsOf(reader: TestMetricReader, name: string): Promise<[Point['attributes'], Point['value']][]> {
  return (await reader.points()).filter((p) => p.scope === 'plugboard.core' && p.name === name).map((p) => [p.attributes, p.value]);
}

interface Greeter {
  greet(): string;
}
const greeterRef = serviceRef<Greeter>('test.greeter');
const greeter = (text: string): Greeter => ({ greet: () => text });

afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
  installMeterProvider(undefined);
});

describe('the kernel metrics', () => {
  test('count a swap each time the best provider of a ref changes, and observe providers per ref', async () => {
    const reader = sdk();
    const kernel = kernelOf(loadedConfigOf([]));
    await kernel.start();

    const base = kernel.registry.register(greeterRef, greeter('base'), { owner: 'base', ranking: 0 });
    const better = kernel.registry.register(greeterRef, greeter('better'), { owner: 'better', ranking: 10 });
    kernel.registry.register(greeterRef, greeter('fallback'), { owner: 'fallback', ranking: -5 });
    expect(await pointsOf(reader, 'plugboard.registry.swaps')).toEqual([
      [{ 'plugboard.service': 'core.runtime' }, 1],
      [{ 'plugboard.service': 'core.clock' }, 1],
      [{ 'plugboard.service': 'test.greeter' }, 2],
    ]);
    expect(await pointsOf(reader, 'plugboard.registry.providers')).toEqual([
      [{ 'plugboard.service': 'core.clock' }, 1],
      [{ 'plugboard.service': 'core.runtime' }, 1],
      [{ 'plugboard.service': 'test.greeter' }, 3],
    ]);

    await better.unregister();
    await base.replace(greeter('base v2'));
    const spareOnce = kernel.registry.register(serviceRef<Greeter>('test.spare'), greeter('spare'), { owner: 'spare' });
    await spareOnce.unregister();
    expect(await pointsOf(reader, 'plugboard.registry.swaps')).toEqual([
      [{ 'plugboard.service': 'core.runtime' }, 1],
      [{ 'plugboard.service': 'core.clock' }, 1],
      [{ 'plugboard.service': 'test.greeter' }, 4],
      [{ 'plugboard.service': 'test.spare' }, 2],
    ]);
    expect(await pointsOf(reader, 'plugboard.registry.providers')).toEqual([
      [{ 'plugboard.service': 'core.clock' }, 1],
      [{ 'plugboard.service': 'core.runtime' }, 1],
      [{ 'plugboard.service': 'test.greeter' }, 2],
    ]);
    const spare = kernel.registry.register(serviceRef<Greeter>('test.spare'), greeter('spare'), { owner: 'spare' });
    expect(await pointsOf(reader, 'plugboard.registry.providers')).toEqual([
      [{ 'plugboard.service': 'core.clock' }, 1],
      [{ 'plugboard.service': 'core.runtime' }, 1],
      [{ 'plugboard.service': 'test.greeter' }, 2],
      [{ 'plugboard.service': 'test.spare' }, 1],
    ]);
    await spare.unregister();
    // A ref left with no provider reports 0 rather than disappearing at its last count.
    expect(await pointsOf(reader, 'plugboard.registry.providers')).toEqual([
      [{ 'plugboard.service': 'core.clock' }, 1],
      [{ 'plugboard.service': 'core.runtime' }, 1],
      [{ 'plugboard.service': 'test.greeter' }, 2],
      [{ 'plugboard.service': 'test.spare' }, 0],
    ]);
  });

  test('count task runs and record their durations in seconds, by task and outcome', async () => {
    const reader = sdk();
    const kernel = kernelOf(loadedConfigOf([]));
    await kernel.start();
    const tasks = kernel.scheduler.forPlugin('jobs');
    const ok = tasks.schedule({ name: 'purge', every: '1h', run: () => undefined });
    const failing = tasks.schedule({
      name: 'sync',
      every: '1h',
      run: () => {
        throw new Error('upstream down');
      },
    });
    const slow = tasks.schedule({
      name: 'export',
      every: '1h',
      timeout: 5,
      run: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
    });
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const cancelled = tasks.schedule({
      name: 'reindex',
      every: '1h',
      run: (signal) =>
        new Promise<void>((resolve) => {
          started();
          signal.addEventListener('abort', () => resolve());
        }),
    });

    const durations = new Map<string, number>();
    for (const handle of [ok, ok, failing, slow]) {
      const status = await handle.runNow();
      const key = `${status.id} ${status.lastOutcome}`;
      durations.set(key, (durations.get(key) ?? 0) + status.lastDurationMs! / 1000);
    }
    const run = cancelled.runNow();
    await running;
    await cancelled.cancel();
    const last = await run;
    durations.set(`${last.id} ${last.lastOutcome}`, last.lastDurationMs! / 1000);

    const attributes = (task: string, outcome: string) => ({ 'plugboard.task': task, 'plugboard.task.outcome': outcome });
    expect(await pointsOf(reader, 'plugboard.task.runs')).toEqual([
      [attributes('jobs.purge', 'ok'), 2],
      [attributes('jobs.sync', 'error'), 1],
      [attributes('jobs.export', 'timeout'), 1],
      [attributes('jobs.reindex', 'aborted'), 1],
    ]);
    const histogram = await pointsOf(reader, 'plugboard.task.duration');
    expect(histogram.map(([a, v]) => [a, (v as { count: number }).count])).toEqual([
      [attributes('jobs.purge', 'ok'), 2],
      [attributes('jobs.sync', 'error'), 1],
      [attributes('jobs.export', 'timeout'), 1],
      [attributes('jobs.reindex', 'aborted'), 1],
    ]);
    for (const [a, v] of histogram) {
      const sum = durations.get(`${String(a['plugboard.task'])} ${String(a['plugboard.task.outcome'])}`);
      expect((v as { sum: number }).sum).toBeCloseTo(sum!, 9);
    }
  });

  test('record each plugin start in seconds and observe plugins by state', async () => {
    const reader = sdk();
    const kernel = kernelOf(
      loadedConfigOf([
        { def: plugin('alpha') },
        { def: plugin('beta') },
        { def: plugin('gamma'), enabled: false },
        {
          def: plugin('broken', () => {
            throw new Error('no config');
          }),
          onFailure: 'continue',
        },
      ]),
    );
    await kernel.start();

    const starts = await pointsOf(reader, 'plugboard.plugin.start.duration');
    expect(starts.map(([a, v]) => [a, (v as { count: number }).count])).toEqual([
      [{ 'plugboard.plugin': 'alpha' }, 1],
      [{ 'plugboard.plugin': 'beta' }, 1],
    ]);
    for (const [a, v] of starts) {
      // pluginInfo rounds the runtime's milliseconds; the histogram has them unrounded, in seconds.
      const ms = kernel.plugins().find((p) => p.name === a['plugboard.plugin'])!.startDurationMs!;
      expect(Math.abs((v as { sum: number }).sum * 1000 - ms)).toBeLessThanOrEqual(0.5);
    }
    const byState = (counts: Record<string, number>) =>
      ['disabled', 'starting', 'started', 'failed', 'stopping', 'stopped'].map((state) => [
        { 'plugboard.plugin.state': state },
        counts[state] ?? 0,
      ]);
    expect(await pointsOf(reader, 'plugboard.plugins')).toEqual(byState({ started: 2, disabled: 1, failed: 1 }));

    await kernel.disable('beta');
    expect(await pointsOf(reader, 'plugboard.plugins')).toEqual(byState({ started: 1, disabled: 2, failed: 1 }));
    await kernel.enable('gamma');
    expect(await pointsOf(reader, 'plugboard.plugins')).toEqual(byState({ started: 2, disabled: 1, failed: 1 }));
    expect((await pointsOf(reader, 'plugboard.plugin.start.duration')).map(([a]) => a['plugboard.plugin'])).toEqual([
      'alpha',
      'beta',
      'gamma',
    ]);
  });

  test('stop closes the meter: observables report no more and swaps are not counted', async () => {
    const reader = sdk('delta');
    const meters = telemetryState.meters.size;
    const kernel = kernelOf(loadedConfigOf([{ def: plugin('alpha') }]));
    expect(telemetryState.meters.size).toBe(meters + 1);
    await kernel.start();
    expect((await reader.points()).some((p) => p.name === 'plugboard.plugins')).toBe(true);

    await kernel.stop();
    expect(telemetryState.meters.size).toBe(meters);
    kernel.registry.register(greeterRef, greeter('late'), { owner: 'late' });
    expect((await reader.points()).filter((p) => p.scope === 'plugboard.core')).toEqual([]);
  });

  test('with no MeterProvider installed everything runs and nothing is recorded anywhere', async () => {
    const kernel = kernelOf(loadedConfigOf([{ def: plugin('alpha', (ctx) => void ctx.tasks.schedule({ name: 'tick', every: '1h', run: () => undefined })) }]));
    await kernel.start();
    const registration = kernel.registry.register(greeterRef, greeter('one'), { owner: 'one' });
    expect((await kernel.scheduler.forPlugin('alpha').schedule({ name: 'once', every: '1h', run: () => undefined }).runNow()).lastOutcome).toBe('ok');
    await registration.unregister();

    const reader = sdk();
    expect(await pointsOf(reader, 'plugboard.registry.swaps')).toEqual([]);
    expect(await pointsOf(reader, 'plugboard.task.runs')).toEqual([]);
    expect(await pointsOf(reader, 'plugboard.registry.providers')).toEqual([
      [{ 'plugboard.service': 'core.clock' }, 1],
      [{ 'plugboard.service': 'core.runtime' }, 1],
    ]);
  });
});
