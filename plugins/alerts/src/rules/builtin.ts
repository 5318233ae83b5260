/**
 * The six rules the plugin runs unless told otherwise (`plugins.alerts.builtins.<Name>`), with
 * thresholds chosen for one instance on a small machine. See README for what each watches.
 */
import type { AlertRuleInput } from './schema.js';

export const BUILTIN_RULES: readonly AlertRuleInput[] = [
  {
    name: 'HighMemoryUse',
    expr: 'process.memory.usage',
    op: '>',
    threshold: 1_073_741_824,
    for: '5m',
    severity: 'warning',
    annotations: {
      summary: 'The process uses {{ $value }} bytes of memory',
      description: 'Resident memory has been above 1 GiB for 5 minutes: look for a leak or a cache grown too big.',
    },
  },
  {
    name: 'HighCpuLoad',
    expr: 'sum(rate(process.cpu.time[5m]))',
    op: '>',
    threshold: 0.9,
    for: '5m',
    severity: 'warning',
    annotations: {
      summary: 'The process uses {{ printf "%.2f" $value }} CPU cores',
      description: 'More than 0.9 CPU-seconds per second over 5 minutes: the event loop is close to saturated.',
    },
  },
  {
    name: 'SlowDatabaseQueries',
    expr: 'histogram_quantile(0.95, sum by (db.operation.name) (rate(db.client.operation.duration[5m])))',
    op: '>',
    threshold: 0.5,
    for: '5m',
    severity: 'warning',
    annotations: {
      summary: 'p95 of {{ $labels.db_operation_name }} queries is {{ printf "%.3f" $value }}s',
      description: 'The 95th percentile of database operations took more than 500 ms over 5 minutes.',
    },
  },
  {
    name: 'LowCacheHitRate',
    expr: 'sum(rate(plugboard.cache.hits[10m])) / (sum(rate(plugboard.cache.hits[10m])) + sum(rate(plugboard.cache.misses[10m])))',
    op: '<',
    threshold: 0.5,
    for: '10m',
    severity: 'info',
    annotations: {
      summary: 'The user cache answers {{ printf "%.2f" $value }} of lookups',
      description: 'Fewer than half of the lookups over 10 minutes were hits: the cache may be too small or its TTL too short.',
    },
  },
  {
    name: 'HighBatchQueue',
    expr: 'max(plugboard.batch.queue_depth)',
    op: '>',
    threshold: 1000,
    for: '1m',
    severity: 'warning',
    annotations: {
      summary: '{{ $value }} conversations wait in the batch queue',
      description: 'The batch queue has held more than 1000 items for a minute: writes are not keeping up.',
    },
  },
  {
    name: 'ErrorSpike',
    expr: 'sum(histogram_count(rate(http.server.request.duration{http.response.status_code=~"5.."}[5m])))',
    op: '>',
    threshold: 1,
    for: '2m',
    severity: 'critical',
    annotations: {
      summary: '{{ printf "%.2f" $value }} answers per second fail with 5xx',
      description: 'More than one 5xx answer per second over 5 minutes, failed writes included (they answer 5xx).',
    },
  },
];
