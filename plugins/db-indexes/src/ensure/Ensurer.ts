import type { DatabaseService } from '@plugboard/plugin-api';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { BuildProgress, BuildRecord, IndexDeclaration, IndexStatus } from '../contract.js';
import type { BuildOutcome, DbMetrics } from '../metrics.js';
import { quoteIdent, rows, withSession, type Session } from '../sql.js';
import { createIndexSql } from './ddl.js';
import { inspectIndexes } from './inspect.js';
import { watchProgress } from './progress.js';

/** The advisory lock every instance takes before it builds: one builder per database at a time. */
export const ENSURE_LOCK = 'plugboard.db-indexes.ensure';
const LOCK_POLL_MS = 250;

export interface EnsureResult {
  /** `busy`: another session held the lock and `wait` was false; nothing was done. */
  lock: 'acquired' | 'busy';
  built: BuildRecord[];
  /** Left for the background task: their table has at least `largeTableRows` rows. */
  deferred: string[];
  /** An index of that name exists with another definition: reported, not touched. */
  different: string[];
  /** The state of each declared index after the run. */
  indexes: IndexStatus[];
}

export interface EnsureOptions {
  /** Build on large tables too (the background task and the CLI do; the start-up path does not). */
  includeLarge: boolean;
  /** Wait for the lock (polling, so the waiter holds no snapshot a concurrent build would wait for). */
  wait: boolean;
  signal?: AbortSignal;
}

export interface EnsurerDeps {
  database: DatabaseService;
  declarations: () => IndexDeclaration[];
  logger: Logger;
  metrics: DbMetrics;
  largeTableRows: number;
  progressEveryMs: number;
  /** Called with each progress reading of a build (the CLI prints them). */
  onProgress?: (progress: BuildProgress) => void;
}

/**
 * Creates the declared indexes that are missing and rebuilds the INVALID ones, with
 * `CREATE INDEX CONCURRENTLY` (writes go on meanwhile), one at a time, holding the advisory lock
 * {@link ENSURE_LOCK} on the build's own connection (no statement timeout). Several instances
 * starting at once on one database build each index once: the others find it valid.
 *
 * @example
 * const result = await ensurer.ensure({ includeLarge: true, wait: true });
 * for (const b of result.built) console.log(b.index, b.outcome);
 */
export class Ensurer {
  readonly #deps: EnsurerDeps;
  readonly #history: BuildRecord[] = [];
  readonly #running = new Map<string, BuildProgress | undefined>();

  constructor(deps: EnsurerDeps) {
    this.#deps = deps;
  }

  /** Builds this instance made, oldest first (the last 100). */
  history(): readonly BuildRecord[] {
    return this.#history;
  }

  /** The builds this instance runs now, with their latest progress reading. */
  running(): { index: string; progress?: BuildProgress }[] {
    return [...this.#running].map(([index, progress]) => (progress ? { index, progress } : { index }));
  }

  async ensure(options: EnsureOptions): Promise<EnsureResult> {
    const { database } = this.#deps;
    return database.withoutTimeout((unbounded) =>
      withSession(unbounded, async (session) => {
        const declarations = this.#deps.declarations();
        if (!(await this.#lock(session, options))) {
          return { lock: 'busy', built: [], deferred: [], different: [], indexes: await inspectIndexes(database.sequelize, declarations) };
        }
        try {
          return await this.#ensureLocked(session, declarations, options);
        } finally {
          await session.query('SELECT pg_advisory_unlock(hashtext($1))', [ENSURE_LOCK]);
        }
      }),
    );
  }

  async #lock(session: Session, options: EnsureOptions): Promise<boolean> {
    for (;;) {
      const [row] = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [ENSURE_LOCK]);
      if (row?.ok) return true;
      if (!options.wait) return false;
      options.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  async #ensureLocked(session: Session, declarations: IndexDeclaration[], options: EnsureOptions): Promise<EnsureResult> {
    const { sequelize } = this.#deps.database;
    const statuses = await inspectIndexes(sequelize, declarations);
    const sizes = await tableRows(sequelize, [...new Set(declarations.map((d) => d.table))]);
    const result: EnsureResult = { lock: 'acquired', built: [], deferred: [], different: [], indexes: [] };
    for (const status of statuses) {
      const d = status.declaration;
      if (status.state === 'valid' || status.state === 'building') continue;
      if (status.state === 'different') {
        result.different.push(d.name);
        this.#deps.logger.warn(
          { index: d.name, found: status.found, declared: createIndexSql(d) },
          `Index ${d.name} exists with another definition; it was left as it is. Drop it (DROP INDEX CONCURRENTLY ${d.name}) or rename it, then run plugboard db ensure-indexes.`,
        );
        continue;
      }
      if (!options.includeLarge && (sizes.get(d.table) ?? 0) >= this.#deps.largeTableRows) {
        result.deferred.push(d.name);
        continue;
      }
      options.signal?.throwIfAborted();
      result.built.push(await this.#build(session, d, status.state === 'invalid', options.signal));
    }
    result.indexes = await inspectIndexes(sequelize, declarations);
    return result;
  }

  async #build(session: Session, d: IndexDeclaration, invalid: boolean, signal?: AbortSignal): Promise<BuildRecord> {
    const { logger, metrics, database } = this.#deps;
    const started = performance.now();
    this.#running.set(d.name, undefined);
    const stopWatching = watchProgress(database.sequelize, d.name, this.#deps.progressEveryMs, logger, (p) => {
      if (this.#running.has(d.name)) this.#running.set(d.name, p);
      if (p) this.#deps.onProgress?.(p);
    });
    const cancel = () => void database.sequelize.query('SELECT pg_cancel_backend($1)', { bind: [session.pid] }).catch(() => undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    let record: BuildRecord;
    try {
      if (invalid) {
        logger.info({ index: d.name }, `Index ${d.name} is INVALID (a concurrent build failed); dropping and building it again.`);
        await session.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(d.name)}`);
      }
      logger.info({ index: d.name, table: d.table }, `building index ${d.name} concurrently`);
      await session.query(createIndexSql(d, { concurrently: true }));
      record = this.#record(d, invalid ? 'rebuilt' : 'created', started);
      logger.info({ index: d.name, durationMs: record.durationMs }, `built index ${d.name} in ${record.durationMs} ms`);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      record = { ...this.#record(d, 'failed', started), error };
      logger.error(
        { index: d.name, err },
        `Building index ${d.name} failed: ${error}. It is left INVALID (it costs writes and serves no query); fix the cause and run plugboard db ensure-indexes, which rebuilds it.`,
      );
    } finally {
      signal?.removeEventListener('abort', cancel);
      this.#running.delete(d.name);
      stopWatching();
    }
    metrics.build(record.outcome, record.durationMs / 1000);
    this.#history.push(record);
    if (this.#history.length > 100) this.#history.shift();
    return record;
  }

  #record(d: IndexDeclaration, outcome: BuildOutcome, started: number): BuildRecord {
    return { index: d.name, table: d.table, outcome, durationMs: Math.round(performance.now() - started), at: new Date().toISOString() };
  }
}

/** Estimated rows of each table (its size when never analysed). */
export async function tableRows(sequelize: Sequelize, tables: string[]): Promise<Map<string, number>> {
  const found = await rows<{ table: string; rows: number }>(
    sequelize,
    `SELECT c.relname AS "table",
       CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE pg_relation_size(c.oid) / 100 END::float8 AS rows
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY($1)`,
    [tables],
  );
  return new Map(found.map((r) => [r.table, Number(r.rows)]));
}
