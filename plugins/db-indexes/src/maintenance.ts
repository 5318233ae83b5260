import type { DatabaseService } from '@plugboard/plugin-api';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { Finding, TableMaintenance } from './contract.js';
import type { CheckContext } from './health/types.js';
import type { DbMetrics } from './metrics.js';
import { percent } from './health/types.js';
import { quoteIdent, rows } from './sql.js';

export type MaintenanceOperation = 'vacuum' | 'analyze';

export interface MaintenanceRun {
  operation: MaintenanceOperation;
  table: string;
  outcome: 'ok' | 'error';
  durationMs: number;
  error?: string;
}

/** Vacuum and analyze times, dead tuples and autovacuum state of `tables`. */
export async function readTableMaintenance(sequelize: Sequelize, tables: readonly string[]): Promise<TableMaintenance[]> {
  const found = await rows<{
    table: string; live: string; dead: string; lv: Date | null; lav: Date | null; la: Date | null; laa: Date | null; av: boolean;
  }>(
    sequelize,
    `SELECT s.relname AS "table", s.n_live_tup AS live, s.n_dead_tup AS dead, s.last_vacuum AS lv, s.last_autovacuum AS lav,
       s.last_analyze AS la, s.last_autoanalyze AS laa,
       current_setting('autovacuum')::bool AND coalesce((SELECT option_value::bool FROM pg_options_to_table(c.reloptions) WHERE option_name = 'autovacuum_enabled'), true) AS av
     FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.schemaname = current_schema() AND s.relname = ANY($1) ORDER BY s.relname`,
    [tables],
  );
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return found.map((r) => {
    const live = Number(r.live);
    const dead = Number(r.dead);
    return {
      table: r.table, liveTuples: live, deadTuples: dead, deadRatio: live + dead > 0 ? dead / (live + dead) : 0,
      lastVacuum: iso(r.lv), lastAutovacuum: iso(r.lav), lastAnalyze: iso(r.la), lastAutoanalyze: iso(r.laa), autovacuum: r.av,
    };
  });
}

/** Findings from the maintenance state: many dead tuples, autovacuum off. */
export function maintenanceFindings(tables: readonly TableMaintenance[], thresholds: CheckContext['thresholds']): Finding[] {
  const findings: Finding[] = [];
  for (const t of tables) {
    if (t.deadTuples >= 1000 && t.deadRatio > thresholds.deadTupleRatio) {
      findings.push({
        kind: 'vacuum',
        severity: 'warning',
        subject: t.table,
        message: `Table ${t.table} has ${t.deadTuples} dead tuples (${percent(t.deadRatio)} of its rows); last vacuum ${t.lastVacuum ?? t.lastAutovacuum ?? 'never'}.`,
        advice: `Run plugboard db maintain --vacuum (or POST /admin/db/maintenance/vacuum): VACUUM (ANALYZE) ${t.table} makes the space reusable and keeps index-only scans index-only.`,
      });
    }
    if (!t.autovacuum) {
      findings.push({
        kind: 'autovacuum-off',
        severity: 'warning',
        subject: t.table,
        message: `Autovacuum is off for ${t.table}.`,
        advice: `Turn it on (ALTER TABLE ${t.table} RESET (autovacuum_enabled), and autovacuum = on in postgresql.conf), or make sure the vacuum-analyze task runs often enough.`,
      });
    }
  }
  return findings;
}

/**
 * Runs `VACUUM (ANALYZE)` or `ANALYZE` of each table, one at a time, on the connection pool
 * without statement timeout, recording each run.
 *
 * @example
 * await new Maintenance({ database, logger, metrics, tables: ['users'] }).run('analyze');
 */
export class Maintenance {
  readonly #deps: { database: DatabaseService; logger: Logger; metrics: DbMetrics; tables: readonly string[] };
  readonly #runs: MaintenanceRun[] = [];

  constructor(deps: { database: DatabaseService; logger: Logger; metrics: DbMetrics; tables: readonly string[] }) {
    this.#deps = deps;
  }

  /** The last 50 runs, oldest first. */
  runs(): readonly MaintenanceRun[] {
    return this.#runs;
  }

  async run(operation: MaintenanceOperation, signal?: AbortSignal): Promise<MaintenanceRun[]> {
    const { database, logger, metrics, tables } = this.#deps;
    const done: MaintenanceRun[] = [];
    for (const table of tables) {
      signal?.throwIfAborted();
      const started = performance.now();
      const sql = operation === 'vacuum' ? `VACUUM (ANALYZE) ${quoteIdent(table)}` : `ANALYZE ${quoteIdent(table)}`;
      let run: MaintenanceRun;
      try {
        await database.withoutTimeout((s) => s.query(sql));
        run = { operation, table, outcome: 'ok', durationMs: Math.round(performance.now() - started) };
        logger.info({ operation, table, durationMs: run.durationMs }, `${sql} took ${run.durationMs} ms`);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        run = { operation, table, outcome: 'error', durationMs: Math.round(performance.now() - started), error };
        logger.error({ err, operation, table }, `${sql} failed: ${error}`);
      }
      metrics.maintenance(operation, table, run.outcome, run.durationMs / 1000);
      done.push(run);
      this.#runs.push(run);
      if (this.#runs.length > 50) this.#runs.shift();
    }
    return done;
  }
}
