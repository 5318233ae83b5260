/**
 * Turns cumulative snapshots into the main series: rates and latency quantiles over the last
 * sample interval, plus the process's own figures. A series whose source is absent (its plugin
 * is off, no database) is null. Batch series are found by name under `plugboard.batch.*`
 * (queue depth, flushes, retries, dead letters), so the batching plugin needs no wiring.
 */
import type { HistogramValue, MainSeriesName, MetricFamily, MetricsSnapshot } from '../contract.js';
import { mergeHistograms, quantile, subtractHistogram } from './quantile.js';

/** What the sampler reads besides the metrics. */
export interface ProcessProbes {
  /** p99 event-loop delay (ms) since the last call, then resets; null when not measured. */
  eventLoopDelayP99Ms(): number | null;
  /** Total GC pause time (ms) since start; null when not measured. */
  gcPauseMsTotal(): number | null;
  /** Connections in use and requests waiting for one; undefined with no database. */
  pool(): { used: number; pending: number } | undefined;
}

type Values = Record<MainSeriesName, number | null>;

export class MainSeriesSampler {
  #time: number | undefined;
  #cpu = process.cpuUsage();
  #previous = new Map<string, number>();
  #previousHistograms = new Map<string, HistogramValue>();
  #gc: number | null = null;

  constructor(private readonly probes: ProcessProbes) {}

  /**
   * One sample from `snapshot`, relative to the previous call (the first call's rates are over
   * the time since the sampler was made, with nothing before it).
   *
   * @example
   * history.push(snapshot.time, sampler.sample(await reader.collect()));
   */
  sample(snapshot: MetricsSnapshot): Values {
    const now = snapshot.time;
    const seconds = this.#time === undefined ? NaN : (now - this.#time) / 1000;
    this.#time = now;
    const byName = new Map(snapshot.families.map((f) => [f.name, f]));
    const values = {} as Values;

    const http = byName.get('http.server.request.duration');
    const requests = this.#histogramDelta('http', http);
    const errors = this.#histogramDelta('http.errors', http, (a) => Number(a['http.response.status_code']) >= 500);
    values['http.requests_per_s'] = rate(requests?.count, seconds);
    values['http.errors_per_s'] = rate(errors?.count, seconds);
    values['http.latency_p50_ms'] = ms(requests, 0.5);
    values['http.latency_p95_ms'] = ms(requests, 0.95);
    values['http.latency_p99_ms'] = ms(requests, 0.99);

    const cpu = process.cpuUsage(this.#cpu);
    this.#cpu = process.cpuUsage();
    values['process.cpu_percent'] = Number.isFinite(seconds) && seconds > 0 ? ((cpu.user + cpu.system) / 1e4 / seconds) : null;
    const memory = process.memoryUsage();
    values['process.memory.rss_bytes'] = memory.rss;
    values['process.memory.heap_used_bytes'] = memory.heapUsed;
    values['system.memory.used_bytes'] = gaugeSum(byName.get('system.memory.usage'), (a) => a['system.memory.state'] === 'used');
    values['eventloop.delay_p99_ms'] = this.probes.eventLoopDelayP99Ms();
    const gc = this.probes.gcPauseMsTotal();
    values['gc.pause_ms_per_s'] = gc === null || this.#gc === null ? null : rate(gc - this.#gc, seconds);
    this.#gc = gc;

    const db = this.#histogramDelta('db', byName.get('db.client.operation.duration'));
    values['db.query_p95_ms'] = ms(db, 0.95);
    values['db.queries_per_s'] = rate(db?.count, seconds);
    const pool = this.probes.pool();
    values['db.pool.used'] = pool?.used ?? null;
    values['db.pool.pending'] = pool?.pending ?? null;

    const hits = this.#counterDelta('plugboard.cache.hits', byName.get('plugboard.cache.hits'));
    const misses = this.#counterDelta('plugboard.cache.misses', byName.get('plugboard.cache.misses'));
    values['cache.hit_ratio'] = hits === null || misses === null || hits + misses === 0 ? null : hits / (hits + misses);

    // The names plugins/batching records (its README lists them).
    values['batch.queue_depth'] = gaugeSum(byName.get('plugboard.batch.queue_depth'));
    values['batch.flushes_per_s'] = rate(this.#histogramDelta('batch.flush', byName.get('plugboard.batch.flush.duration'))?.count, seconds);
    values['batch.retries_per_s'] = rate(this.#counterDelta('batch.retries', byName.get('plugboard.batch.retries')), seconds);
    values['batch.dead_letters'] = gaugeSum(byName.get('plugboard.batch.dead_letters'));
    return values;
  }

  /** Observations since the last call of the family's points that pass `filter`, merged; undefined when the family is absent. */
  #histogramDelta(key: string, family: MetricFamily | undefined, filter?: (a: MetricFamily['points'][number]['attributes']) => boolean): HistogramValue | undefined {
    if (family === undefined) return undefined;
    const merged = mergeHistograms(family.points.filter((p) => p.histogram && (!filter || filter(p.attributes))).map((p) => p.histogram!));
    if (merged === undefined) {
      this.#previousHistograms.delete(key);
      return { boundaries: [], counts: [0], sum: 0, count: 0 };
    }
    const delta = subtractHistogram(merged, this.#previousHistograms.get(key));
    this.#previousHistograms.set(key, merged);
    return delta;
  }

  /** A counter's increase since the last call (0 on the first); null when the family is absent. */
  #counterDelta(key: string, family: MetricFamily | undefined): number | null {
    if (family === undefined) return null;
    const total = family.points.reduce((sum, p) => sum + (p.value ?? 0), 0);
    const before = this.#previous.get(key);
    this.#previous.set(key, total);
    return before === undefined || total < before ? 0 : total - before;
  }
}

function rate(delta: number | null | undefined, seconds: number): number | null {
  if (delta === null || delta === undefined) return null;
  return Number.isFinite(seconds) && seconds > 0 ? delta / seconds : null;
}

function ms(h: HistogramValue | undefined, q: number): number | null {
  if (h === undefined || h.count <= 0) return null;
  const value = quantile(h, q);
  return Number.isFinite(value) ? value * 1000 : null;
}

function gaugeSum(family: MetricFamily | undefined, filter?: (a: MetricFamily['points'][number]['attributes']) => boolean): number | null {
  if (family === undefined) return null;
  const points = family.points.filter((p) => !filter || filter(p.attributes));
  return points.length === 0 ? null : points.reduce((sum, p) => sum + (p.value ?? 0), 0);
}
