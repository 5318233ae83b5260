import type { Meter } from '@opentelemetry/api';
import type { DbReport } from './contract.js';

export type BuildOutcome = 'created' | 'rebuilt' | 'failed';

/**
 * The plugin's instruments, all under `plugboard.db.*` (see the README's Metrics section). The
 * gauges read the last report, so they cost nothing between reports.
 *
 * @example
 * const metrics = new DbMetrics(ctx.meter, () => service.lastReport());
 * metrics.build('created', 1.2);
 */
export class DbMetrics {
  readonly #builds;
  readonly #buildDuration;
  readonly #maintenance;
  readonly #maintenanceDuration;

  constructor(meter: Meter, lastReport: () => DbReport | undefined, cacheRates: () => { index?: number; table?: number }) {
    this.#builds = meter.createCounter('plugboard.db.index_builds', {
      unit: '{build}',
      description: 'Index builds (CREATE INDEX CONCURRENTLY) by outcome: created, rebuilt (an INVALID one replaced), failed.',
    });
    this.#buildDuration = meter.createHistogram('plugboard.db.index_build.duration', {
      unit: 's',
      description: 'How long each index build took, by outcome.',
    });
    this.#maintenance = meter.createCounter('plugboard.db.maintenance.runs', {
      unit: '{run}',
      description: 'VACUUM (ANALYZE) and ANALYZE runs by operation, table and outcome (ok, error).',
    });
    this.#maintenanceDuration = meter.createHistogram('plugboard.db.maintenance.duration', {
      unit: 's',
      description: 'How long each VACUUM or ANALYZE of a table took.',
    });
    meter
      .createObservableGauge('plugboard.db.cache_hit_ratio', {
        unit: '1',
        description: 'Share of index and table block reads served from shared buffers (attribute kind: index | table).',
      })
      .addCallback((result) => {
        const rates = cacheRates();
        if (rates.index !== undefined) result.observe(rates.index, { kind: 'index' });
        if (rates.table !== undefined) result.observe(rates.table, { kind: 'table' });
      });
    meter
      .createObservableGauge('plugboard.db.findings', {
        unit: '{finding}',
        description: 'Findings of the last report, by kind and severity.',
      })
      .addCallback((result) => {
        const report = lastReport();
        if (!report) return;
        const counts = new Map<string, { kind: string; severity: string; n: number }>();
        for (const f of report.findings) {
          const key = `${f.kind}\u0000${f.severity}`;
          const entry = counts.get(key) ?? { kind: f.kind, severity: f.severity, n: 0 };
          entry.n += 1;
          counts.set(key, entry);
        }
        for (const { kind, severity, n } of counts.values()) result.observe(n, { kind, severity });
      });
  }

  build(outcome: BuildOutcome, seconds: number): void {
    this.#builds.add(1, { outcome });
    this.#buildDuration.record(seconds, { outcome });
  }

  maintenance(operation: 'vacuum' | 'analyze', table: string, outcome: 'ok' | 'error', seconds: number): void {
    this.#maintenance.add(1, { operation, table, outcome });
    this.#maintenanceDuration.record(seconds, { operation, table });
  }
}
