/**
 * The provider of `metrics.reader`: collects through the in-process reader, keeps the main
 * series' history, and reads the trace ring.
 */
import type { MetricsOverview, MetricsReader, MetricsSnapshot, TraceSummary } from '../contract.js';
import type { MainSeriesSampler } from '../overview/MainSeriesSampler.js';
import { routeStats } from '../overview/routeStats.js';
import type { SeriesHistory } from '../overview/SeriesHistory.js';
import type { TraceRing } from '../traces/TraceRing.js';
import { familiesOf, publicFamilies, type ScopedFamily } from './families.js';
import type { InProcessReader } from './InProcessReader.js';

export interface CollectedMetrics {
  time: number;
  families: ScopedFamily[];
  resource: Record<string, unknown>;
}

export class SdkMetricsReader implements MetricsReader {
  #latest: MetricsSnapshot | undefined;

  constructor(
    private readonly reader: InProcessReader,
    private readonly history: SeriesHistory,
    private readonly sampler: MainSeriesSampler,
    private readonly ring: TraceRing,
    private readonly intervalMs: number,
  ) {}

  /** Families with their scopes and the resource's attributes, for `/metrics`. */
  async collectScoped(): Promise<CollectedMetrics> {
    const { resourceMetrics } = await this.reader.collect();
    await resourceMetrics.resource.waitForAsyncAttributes?.();
    return { time: Date.now(), families: familiesOf(resourceMetrics), resource: resourceMetrics.resource.attributes };
  }

  async collect(): Promise<MetricsSnapshot> {
    const { time, families } = await this.collectScoped();
    return { time, families: publicFamilies(families) };
  }

  /** Takes one sample of the main series into the history (the plugin's task calls it every interval). */
  async sample(): Promise<void> {
    const snapshot = await this.collect();
    this.#latest = snapshot;
    this.history.push(snapshot.time, this.sampler.sample(snapshot));
  }

  overview(): MetricsOverview {
    const { slowest, failing } = routeStats(this.#latest?.families.find((f) => f.name === 'http.server.request.duration'));
    return {
      time: Date.now(),
      intervalMs: this.intervalMs,
      current: this.history.latest(),
      history: this.history.snapshot(),
      slowestRoutes: slowest,
      failingRoutes: failing,
    };
  }

  recentTraces(limit?: number): TraceSummary[] {
    return this.ring.recent(limit);
  }

  slowTraces(limit?: number): TraceSummary[] {
    return this.ring.slow(limit);
  }
}
