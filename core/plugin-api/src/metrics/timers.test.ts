import { DataPointType, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlugboardError } from '../errors/PlugboardError.js';
import { installMeterProvider } from '../telemetry/providers.js';
import { COLLECTOR_SCOPE } from './durationHistogram.js';
import { startTimer, time, timed } from './timers.js';

class Reader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}

  /** [name, attributes, count, sum] of every histogram point of the collector scope. */
  async histograms(): Promise<[string, Record<string, unknown>, number, number][]> {
    const { resourceMetrics } = await this.collect();
    const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === COLLECTOR_SCOPE);
    return (scope?.metrics ?? [])
      .filter((m): m is HistogramMetricData => m.dataPointType === DataPointType.HISTOGRAM)
      .flatMap((m) => m.dataPoints.map((p) => [m.descriptor.name, { ...p.attributes }, p.value.count, p.value.sum ?? 0] as [string, Record<string, unknown>, number, number]));
  }
}

function sdk(): Reader {
  const reader = new Reader();
  installMeterProvider(new MeterProvider({ readers: [reader] }));
  return reader;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(() => installMeterProvider(undefined));

describe('the metrics collector API', () => {
  it('startTimer records seconds once, with `using` at the end of the block and with .end()', async () => {
    const reader = sdk();
    // The clock is moved by hand, so the recorded durations are exact: 20 ms and 5 ms, in seconds.
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout'] });
    try {
      {
        using _t = startTimer('test.block', { 'test.kind': 'using' });
        await vi.advanceTimersByTimeAsync(20);
      }
      const t = startTimer<{ 'test.kind': string; 'test.rows'?: number }>('test.block', { 'test.kind': 'end' });
      await vi.advanceTimersByTimeAsync(5);
      const seconds = t.end({ 'test.rows': 3 });
      expect(t.end()).toBe(0);
      expect(seconds).toBeCloseTo(0.005, 6);
    } finally {
      vi.useRealTimers();
    }
    const points = await reader.histograms();
    expect(points.map(([n, a, c]) => [n, a, c])).toEqual([
      ['test.block', { 'test.kind': 'using' }, 1],
      ['test.block', { 'test.kind': 'end', 'test.rows': 3 }, 1],
    ]);
    expect(points[0]![3]).toBeCloseTo(0.02, 6);
    expect(points[1]![3]).toBeCloseTo(0.005, 6);
  });

  it('time() returns what the work returns and records it, with error.type when it throws', async () => {
    const reader = sdk();
    expect(await time('test.work', async () => 42, { 'test.step': 'a' })).toBe(42);
    await expect(time('test.work', async () => Promise.reject(new RangeError('no')))).rejects.toThrow('no');
    expect((await reader.histograms()).map(([n, a, c]) => [n, a, c])).toEqual([
      ['test.work', { 'test.step': 'a' }, 1],
      ['test.work', { 'error.type': 'RangeError' }, 1],
    ]);
  });

  it('@timed times sync and async methods, keeps `this`, and follows a provider installed later', async () => {
    class Service {
      factor = 2;
      @timed('test.method', { 'test.method': 'double' })
      double(n: number): number {
        return n * this.factor;
      }
      @timed('test.method', { 'test.method': 'fail' })
      async fail(): Promise<void> {
        await sleep(1);
        throw new TypeError('bad');
      }
    }
    const service = new Service();
    expect(service.double(2)).toBe(4); // no provider: not recorded anywhere
    const reader = sdk();
    expect(service.double(3)).toBe(6);
    await expect(service.fail()).rejects.toThrow('bad');
    expect((await reader.histograms()).map(([n, a, c]) => [n, a, c])).toEqual([
      ['test.method', { 'test.method': 'double' }, 1],
      ['test.method', { 'test.method': 'fail', 'error.type': 'TypeError' }, 1],
    ]);
  });

  it('with no MeterProvider the timer reads no clock and records nothing; a bad name is refused with what to do', () => {
    const timer = startTimer('test.idle');
    expect(timer.end()).toBe(0);
    let error: unknown;
    try {
      startTimer('1 bad name');
    } catch (err) {
      error = err;
    }
    expect(PlugboardError.is(error, 'invalidArgument')).toBe(true);
    expect((error as Error).message).toBe(
      "'1 bad name' is not a valid metric name: start with a letter and use only letters, digits, '_', '.', '-' and '/' (at most 255 characters), for example 'plugboard.reply.duration'.",
    );
  });
});
