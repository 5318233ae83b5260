/**
 * The metrics alert rules may name without declaring them: what each is (kind and unit, for the
 * Prometheus name) and which plugin records it (for `missing-metric` reports). A plugin that ships
 * rules over metrics of its own declares them in the rule's `metrics` (see AlertRuleInput).
 */
import type { MetricInfo } from '../expr/typecheck.js';

export interface CatalogEntry extends MetricInfo {
  /** The plugin that records it; without that plugin (or without plugins/metrics) it does not exist. */
  plugin: string;
}

export const METRIC_CATALOG: Readonly<Record<string, CatalogEntry>> = {
  'http.server.request.duration': { kind: 'histogram', unit: 's', plugin: 'metrics' },
  'http.server.active_requests': { kind: 'updowncounter', unit: '{request}', plugin: 'metrics' },
  'db.client.operation.duration': { kind: 'histogram', unit: 's', plugin: 'metrics' },
  'process.cpu.time': { kind: 'counter', unit: 's', plugin: 'metrics' },
  'process.cpu.utilization': { kind: 'gauge', unit: '1', plugin: 'metrics' },
  'process.memory.usage': { kind: 'gauge', unit: 'By', plugin: 'metrics' },
  'v8js.memory.heap.used': { kind: 'updowncounter', unit: 'By', plugin: 'metrics' },
  'db.client.connection.pending_requests': { kind: 'updowncounter', unit: '{request}', plugin: 'metrics' },
  'plugboard.db.slow_queries': { kind: 'counter', unit: '{query}', plugin: 'metrics' },
  'plugboard.cache.hits': { kind: 'counter', unit: '', plugin: 'conversations' },
  'plugboard.cache.misses': { kind: 'counter', unit: '', plugin: 'conversations' },
  'plugboard.cache.evictions': { kind: 'counter', unit: '', plugin: 'conversations' },
  'plugboard.batch.queue_depth': { kind: 'gauge', unit: '{row}', plugin: 'batching' },
  'plugboard.batch.rows': { kind: 'counter', unit: '{row}', plugin: 'batching' },
  'plugboard.batch.retries': { kind: 'counter', unit: '{retry}', plugin: 'batching' },
  'plugboard.batch.dead_letters': { kind: 'counter', unit: '{row}', plugin: 'batching' },
  'plugboard.batch.rejected': { kind: 'counter', unit: '{row}', plugin: 'batching' },
  'plugboard.task.runs': { kind: 'counter', unit: '{run}', plugin: 'metrics' },
  'plugboard.alerts.evaluations': { kind: 'counter', unit: '{evaluation}', plugin: 'alerts' },
  'plugboard.alerts.evaluation_errors': { kind: 'counter', unit: '{error}', plugin: 'alerts' },
  'plugboard.alerts.notifications.failed': { kind: 'counter', unit: '{notification}', plugin: 'alerts' },
};
