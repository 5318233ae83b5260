import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { BuildProgress } from '../contract.js';
import { rows } from '../sql.js';

interface ProgressRow {
  index: string | null;
  phase: string;
  blocks_done: string;
  blocks_total: string;
  tuples_done: string;
  tuples_total: string;
  started_at: Date | null;
}

/**
 * Every index build running in this database now, from `pg_stat_progress_create_index` (ours and
 * anyone's): phase, blocks and tuples done. A concurrent build names its index once the catalog
 * entry exists; before that the name is read from the statement.
 */
export async function readBuildProgress(sequelize: Sequelize): Promise<BuildProgress[]> {
  const found = await rows<ProgressRow>(
    sequelize,
    `SELECT coalesce(ci.relname, substring(a.query from '(?i)INDEX\\s+(?:CONCURRENTLY\\s+)?(?:IF NOT EXISTS\\s+)?"?([A-Za-z0-9_]+)')) AS index,
       p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total, a.query_start AS started_at
     FROM pg_stat_progress_create_index p
     LEFT JOIN pg_class ci ON ci.oid = p.index_relid
     LEFT JOIN pg_stat_activity a ON a.pid = p.pid
     WHERE p.datname = current_database()
     ORDER BY a.query_start`,
  );
  return found.map((r) => ({
    index: r.index ?? '(unnamed)',
    phase: r.phase,
    blocksDone: Number(r.blocks_done),
    blocksTotal: Number(r.blocks_total),
    tuplesDone: Number(r.tuples_done),
    tuplesTotal: Number(r.tuples_total),
    startedAt: (r.started_at ?? new Date()).toISOString(),
  }));
}

/** `"building scan table: 1200/8800 blocks (14%), 0/0 tuples"` */
export function describeProgress(p: BuildProgress): string {
  const pct = p.blocksTotal > 0 ? ` (${Math.floor((100 * p.blocksDone) / p.blocksTotal)}%)` : '';
  return `${p.phase}: ${p.blocksDone}/${p.blocksTotal} blocks${pct}, ${p.tuplesDone}/${p.tuplesTotal} tuples`;
}

/**
 * Logs the progress of the build of `index` every `everyMs` until stopped, and keeps the latest
 * reading for the API and the CLI.
 */
export function watchProgress(sequelize: Sequelize, index: string, everyMs: number, logger: Logger, onReading: (p: BuildProgress | undefined) => void): () => void {
  let stopped = false;
  const tick = async () => {
    try {
      const reading = (await readBuildProgress(sequelize)).find((p) => p.index === index);
      if (stopped) return;
      onReading(reading);
      if (reading) logger.info({ index, progress: reading }, `building index ${index}: ${describeProgress(reading)}`);
    } catch (err) {
      logger.debug({ err, index }, 'could not read pg_stat_progress_create_index');
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
    onReading(undefined);
  };
}
