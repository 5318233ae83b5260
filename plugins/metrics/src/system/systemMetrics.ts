/**
 * Process and system metrics: CPU and memory through `@opentelemetry/host-metrics`; event-loop
 * delay (perf_hooks' monitorEventLoopDelay), GC pauses (a PerformanceObserver on `gc`), V8 heap
 * use, the data folder's filesystem (fs.statfs) and the database's size (pg_database_size)
 * made here. `tick()` closes one event-loop window; the plugin calls it once per sample interval.
 */
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { constants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { Meter, MeterProvider } from '@opentelemetry/api';
import { HostMetrics } from '@opentelemetry/host-metrics';
import { existsSync } from 'node:fs';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

export interface SystemMetrics {
  /** Ends the current event-loop window: its figures are what the gauges report until the next tick. */
  tick(): void;
  /** p99 of the last closed event-loop window, in ms. */
  eventLoopDelayP99Ms(): number | null;
  /** GC pause time since start, in ms. */
  gcPauseMsTotal(): number;
  /** Sets the database size the gauge reports, in bytes. */
  setDatabaseSize(bytes: number, database: string): void;
  stop(): void;
}

/**
 * @example
 * const system = startSystemMetrics(sdk.meterProvider, { dataDir: '.plugboard' });
 * ctx.onStop(() => system.stop());
 */
export function startSystemMetrics(provider: MeterProvider, options: { dataDir: string }): SystemMetrics {
  new HostMetrics({
    meterProvider: provider,
    name: 'plugboard.metrics.host',
    metricGroups: ['system.cpu', 'system.memory', 'process.cpu', 'process.memory'],
  }).start();
  const meter = provider.getMeter('plugboard.metrics.system');

  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let window: { min: number; max: number; mean: number; p50: number; p90: number; p99: number } | undefined;
  const delay = (stat: keyof NonNullable<typeof window>, description: string): void => {
    meter
      .createObservableGauge(`nodejs.eventloop.delay.${stat}`, { unit: 's', description })
      .addCallback((r) => {
        if (window !== undefined) r.observe(window[stat] / 1e9);
      });
  };
  delay('min', 'Event loop minimum delay over the last sample interval.');
  delay('max', 'Event loop maximum delay over the last sample interval.');
  delay('mean', 'Event loop mean delay over the last sample interval.');
  delay('p50', 'Event loop 50th percentile delay over the last sample interval.');
  delay('p90', 'Event loop 90th percentile delay over the last sample interval.');
  delay('p99', 'Event loop 99th percentile delay over the last sample interval.');

  const gcDuration = meter.createHistogram('v8js.gc.duration', {
    unit: 's',
    description: 'Garbage collection pauses.',
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
  });
  let gcTotalMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcTotalMs += entry.duration;
      const kind = (entry.detail as { kind?: number } | undefined)?.kind;
      gcDuration.record(entry.duration / 1000, { 'v8js.gc.type': GC_KINDS[kind ?? -1] ?? 'unknown' });
    }
  });
  gc.observe({ entryTypes: ['gc'] });

  meter
    .createObservableUpDownCounter('v8js.memory.heap.used', { unit: 'By', description: 'Heap memory used, by V8 heap space.' })
    .addCallback((r) => {
      for (const space of getHeapSpaceStatistics()) r.observe(space.space_used_size, { 'v8js.heap.space.name': space.space_name });
    });
  observeFilesystem(meter, existingAncestor(resolve(options.dataDir)));

  let databaseSize: { bytes: number; database: string } | undefined;
  meter
    .createObservableUpDownCounter('plugboard.database.size', { unit: 'By', description: 'Size of the database on disk (pg_database_size).' })
    .addCallback((r) => {
      if (databaseSize !== undefined) r.observe(databaseSize.bytes, { 'db.namespace': databaseSize.database });
    });

  return {
    tick() {
      window = { min: loop.min, max: loop.max, mean: loop.mean, p50: loop.percentile(50), p90: loop.percentile(90), p99: loop.percentile(99) };
      loop.reset();
    },
    eventLoopDelayP99Ms: () => (window === undefined ? null : window.p99 / 1e6),
    gcPauseMsTotal: () => gcTotalMs,
    setDatabaseSize(bytes, database) {
      databaseSize = { bytes, database };
    },
    stop() {
      loop.disable();
      gc.disconnect();
    },
  };
}

function observeFilesystem(meter: Meter, path: string): void {
  const usage = meter.createObservableUpDownCounter('system.filesystem.usage', {
    unit: 'By',
    description: 'Space of the filesystem that holds the data folder, by state (used, free, reserved).',
  });
  const utilization = meter.createObservableGauge('system.filesystem.utilization', {
    unit: '1',
    description: 'Share of the data folder filesystem in use.',
  });
  meter.addBatchObservableCallback(
    async (r) => {
      const s = await statfs(path).catch(() => undefined);
      if (s === undefined) return;
      const attributes = { 'plugboard.data_dir': path };
      const free = s.bavail * s.bsize;
      const reserved = (s.bfree - s.bavail) * s.bsize;
      const used = (s.blocks - s.bfree) * s.bsize;
      r.observe(usage, used, { ...attributes, 'system.filesystem.state': 'used' });
      r.observe(usage, free, { ...attributes, 'system.filesystem.state': 'free' });
      r.observe(usage, reserved, { ...attributes, 'system.filesystem.state': 'reserved' });
      if (used + free > 0) r.observe(utilization, used / (used + free), attributes);
    },
    [usage, utilization],
  );
}

/** The folder itself or the nearest one above it that exists (the data folder may not be made yet). */
function existingAncestor(path: string): string {
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}
