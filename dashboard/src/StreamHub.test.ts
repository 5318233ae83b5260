import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAIN_SERIES, type MainSeriesName, type MetricsOverview } from '@plugboard/plugin-metrics';
import { catchUp } from './stream.js';
import { round, StreamHub, tickOf } from './StreamHub.js';

function overview(t: number[], value: (i: number) => number | null): MetricsOverview {
  const series = Object.fromEntries(MAIN_SERIES.map((name, s) => [name, t.map((_, i) => (s === 0 ? value(i) : null))])) as Record<
    MainSeriesName,
    (number | null)[]
  >;
  const current = Object.fromEntries(MAIN_SERIES.map((name) => [name, series[name].at(-1) ?? null])) as Record<MainSeriesName, number | null>;
  return { time: t.at(-1) ?? 0, intervalMs: 1000, current, history: { t, series }, slowestRoutes: [], failingRoutes: [] };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('round', () => {
  it('keeps four significant digits and turns absent or non-finite values into null', () => {
    expect(round(123456.789)).toBe(123500);
    expect(round(0.000123456)).toBe(0.0001235);
    expect(round(0)).toBe(0);
    expect(round(null)).toBeNull();
    expect(round(Number.NaN)).toBeNull();
    expect(round(Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe('tickOf', () => {
  it('is the newest sample of each series, in MAIN_SERIES order, at the time of the last sample', () => {
    const tick = tickOf(overview([1000, 2000], (i) => i * 1.23456), 5000);
    expect(tick.t).toBe(2000);
    expect(tick.v).toHaveLength(MAIN_SERIES.length);
    expect(tick.v![0]).toBe(1.235);
    expect(tick.v![1]).toBeNull();
  });

  it('has no values while the metrics plugin is off, and the time of now', () => {
    expect(tickOf(undefined, 5000)).toEqual({ t: 5000, v: null });
  });
});

describe('catchUp', () => {
  it('gives the samples after the last event id, as columns', () => {
    const o = overview([1000, 2000, 3000, 4000], (i) => i);
    const missed = catchUp(o, 2000)!;
    expect(missed.t).toEqual([3000, 4000]);
    expect(missed.v[0]).toEqual([2, 3]);
    expect(missed.v).toHaveLength(MAIN_SERIES.length);
  });

  it('gives nothing when the tab has every sample, and everything after a restart that lost the older ones', () => {
    const o = overview([1000, 2000], (i) => i);
    expect(catchUp(o, 2000)).toBeUndefined();
    expect(catchUp(o, 500)!.t).toEqual([1000, 2000]);
  });
});

describe('StreamHub', () => {
  it('runs one timer while someone listens, reads slow sections every fifth frame, and stops when the last one leaves', () => {
    vi.useFakeTimers();
    const reads: string[] = [];
    const hub = new StreamHub({
      intervalMs: 1000,
      overview: () => undefined,
      section: (name) => {
        reads.push(name);
        return { name };
      },
      now: () => 42,
      onError: (err) => {
        throw err;
      },
    });
    const a: number[] = [];
    const b: number[] = [];
    const offA = hub.subscribe((f) => a.push(Object.keys(f.sections).length));
    const offB = hub.subscribe((f) => b.push(Object.keys(f.sections).length));
    vi.advanceTimersByTime(5000);
    // 9 sections, of which routes, traces, tasks and models only on frames 1 and 6.
    expect(a).toEqual([9, 5, 5, 5, 5]);
    expect(b).toEqual(a);
    expect(reads.filter((r) => r === 'plugins')).toHaveLength(5);
    offA();
    offB();
    expect(hub.subscribers).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(a).toHaveLength(5);
  });

  it('reports a failing read and goes on with the next frame', () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let fail = true;
    const hub = new StreamHub({
      intervalMs: 1000,
      overview: () => undefined,
      section: () => {
        if (fail) throw new Error('boom');
        return 1;
      },
      onError: (err) => errors.push(err),
    });
    const frames: unknown[] = [];
    hub.subscribe((f) => frames.push(f));
    vi.advanceTimersByTime(1000);
    fail = false;
    vi.advanceTimersByTime(1000);
    expect(errors).toHaveLength(1);
    expect(frames).toHaveLength(1);
    hub.stop();
  });
});
