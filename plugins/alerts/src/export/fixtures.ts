/**
 * Synthetic inputs for the built-in rules, in OpenTelemetry terms: enough for each rule to go
 * pending and then fire. The promtool test file feeds them to Prometheus (under the Prometheus
 * names) and expects what this plugin's own engine computes from the same inputs.
 */
export type FixtureSeries =
  | { metric: string; kind: 'counter' | 'gauge' | 'updowncounter'; attributes?: Record<string, string | number>; start: number; perStep: number }
  | { metric: string; kind: 'histogram'; attributes?: Record<string, string | number>; boundaries: number[]; countsPerStep: number[]; sumPerStep: number };

export interface RuleFixture {
  series: FixtureSeries[];
  /** Minutes (one sample and one evaluation per minute) at which the alert is pending, and firing. */
  pendingAt: number;
  firingAt: number;
}

export const BUILTIN_FIXTURES: Readonly<Record<string, RuleFixture>> = {
  HighMemoryUse: { series: [{ metric: 'process.memory.usage', kind: 'gauge', start: 2e9, perStep: 0 }], pendingAt: 2, firingAt: 7 },
  HighCpuLoad: {
    series: [
      { metric: 'process.cpu.time', kind: 'counter', attributes: { 'process.cpu.state': 'user' }, start: 0, perStep: 48 },
      { metric: 'process.cpu.time', kind: 'counter', attributes: { 'process.cpu.state': 'system' }, start: 0, perStep: 12 },
    ],
    pendingAt: 7,
    firingAt: 12,
  },
  SlowDatabaseQueries: {
    series: [
      { metric: 'db.client.operation.duration', kind: 'histogram', attributes: { 'db.operation.name': 'SELECT' }, boundaries: [0.1, 0.5, 1, 5], countsPerStep: [0, 0, 10, 0, 0], sumPerStep: 8 },
    ],
    pendingAt: 3,
    firingAt: 8,
  },
  LowCacheHitRate: {
    series: [
      { metric: 'plugboard.cache.hits', kind: 'counter', start: 0, perStep: 15 },
      { metric: 'plugboard.cache.misses', kind: 'counter', start: 0, perStep: 45 },
    ],
    pendingAt: 5,
    firingAt: 13,
  },
  HighBatchQueue: { series: [{ metric: 'plugboard.batch.queue_depth', kind: 'gauge', start: 1500, perStep: 0 }], pendingAt: 0, firingAt: 3 },
  ErrorSpike: {
    series: [
      { metric: 'http.server.request.duration', kind: 'histogram', attributes: { 'http.response.status_code': 500, 'http.request.method': 'POST' }, boundaries: [0.1, 1], countsPerStep: [120, 0, 0], sumPerStep: 6 },
      { metric: 'http.server.request.duration', kind: 'histogram', attributes: { 'http.response.status_code': 200, 'http.request.method': 'GET' }, boundaries: [0.1, 1], countsPerStep: [600, 0, 0], sumPerStep: 30 },
    ],
    pendingAt: 4,
    firingAt: 7,
  },
};
