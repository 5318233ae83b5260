import type { Finding } from '../contract.js';
import { rows } from '../sql.js';
import { bytes, percent, type CheckContext, type HealthCheck } from './types.js';

/** Blocks read before a cache hit rate counts: below this a fresh server's cold reads dominate. */
export const MIN_CACHE_READS = 1000;

export interface CacheHitRates {
  index?: number;
  table?: number;
}

/** Share of index and table blocks served from shared buffers, over the database's user tables. */
export async function readCacheHitRates({ sequelize }: Pick<CheckContext, 'sequelize'>): Promise<CacheHitRates & { indexReads: number; tableReads: number }> {
  const [r] = await rows<{ ih: string | null; ir: string | null; th: string | null; tr: string | null }>(
    sequelize,
    `SELECT (SELECT sum(idx_blks_hit) FROM pg_statio_user_indexes) AS ih, (SELECT sum(idx_blks_read) FROM pg_statio_user_indexes) AS ir,
            (SELECT sum(heap_blks_hit) FROM pg_statio_user_tables) AS th, (SELECT sum(heap_blks_read) FROM pg_statio_user_tables) AS tr`,
  );
  const rate = (hit: number, read: number) => (hit + read > 0 ? hit / (hit + read) : undefined);
  const [ih, ir, th, tr] = [r?.ih, r?.ir, r?.th, r?.tr].map((v) => Number(v ?? 0)) as [number, number, number, number];
  const index = rate(ih, ir);
  const table = rate(th, tr);
  return { ...(index === undefined ? {} : { index }), ...(table === undefined ? {} : { table }), indexReads: ih + ir, tableReads: th + tr };
}

/** Index and table cache hit rates below the threshold (PgHero: 99%). */
export const cacheHitRates: HealthCheck = async (ctx) => {
  const rates = await readCacheHitRates(ctx);
  const findings: Finding[] = [];
  for (const [kind, rate, reads] of [['index', rates.index, rates.indexReads], ['table', rates.table, rates.tableReads]] as const) {
    if (rate === undefined || reads < MIN_CACHE_READS || rate >= ctx.thresholds.cacheHitRate) continue;
    findings.push({
      kind: 'cache-hit-rate',
      severity: 'warning',
      subject: kind,
      message: `The ${kind} cache hit rate is ${percent(rate)} over ${reads} block reads, below ${percent(ctx.thresholds.cacheHitRate)}.`,
      advice: `Reads go to disk: give PostgreSQL more shared_buffers (and the machine more memory), or read less (${kind === 'index' ? 'drop unused and bloated indexes' : 'add the indexes the report says are missing'}). The working set should fit in memory.`,
    });
  }
  return findings;
};

/** Estimated wasted space of B-tree indexes on plain columns, from their size and the columns' widths. */
export const indexBloat: HealthCheck = async ({ sequelize, thresholds }) => {
  const found = await rows<{ index: string; table: string; pages: number; tuples: number; width: number | null; block: number }>(
    sequelize,
    `SELECT c.relname AS index, t.relname AS "table", c.relpages::float8 AS pages, c.reltuples::float8 AS tuples,
       current_setting('block_size')::int AS block,
       (SELECT sum(s.avg_width) FROM unnest(i.indkey) k JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k
          JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = t.relname AND s.attname = a.attname)::float8 AS width
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
     WHERE n.nspname = current_schema() AND am.amname = 'btree' AND i.indexprs IS NULL AND i.indisvalid AND c.reltuples >= 0
       AND (SELECT count(*) FROM pg_stats s JOIN pg_attribute a ON a.attname = s.attname AND a.attrelid = i.indrelid
            WHERE s.schemaname = n.nspname AND s.tablename = t.relname AND a.attnum = ANY(i.indkey)) = i.indnatts`,
  );
  const findings: Finding[] = [];
  for (const r of found) {
    if (r.width === null) continue;
    const tupleBytes = 8 + Math.ceil(r.width / 8) * 8 + 4;
    const perPage = (r.block - 40) * 0.9;
    const expectedPages = Math.ceil((r.tuples * tupleBytes) / perPage) + 1;
    const wasted = Math.max(0, (r.pages - expectedPages) * r.block);
    const ratio = r.pages > 0 ? wasted / (r.pages * r.block) : 0;
    if (wasted < thresholds.bloatBytes || ratio < thresholds.bloatRatio) continue;
    findings.push({
      kind: 'bloat',
      severity: 'warning',
      subject: r.index,
      message: `Index ${r.index} on ${r.table} is ${bytes(r.pages * r.block)}; about ${bytes(wasted)} (${percent(ratio)}) of it is estimated to be empty space left by deleted or updated rows.`,
      advice: `Rebuild it without blocking writes: REINDEX INDEX CONCURRENTLY ${r.index}. A smaller index reads faster and fits in cache.`,
    });
  }
  return findings;
};

/** Sequences that used most of their range, or of the range of the column they fill. */
export const sequenceOverflow: HealthCheck = async ({ sequelize, thresholds }) => {
  const found = await rows<{ sequence: string; last: string; max: string; column: string | null }>(
    sequelize,
    `SELECT s.sequencename AS sequence, s.last_value::text AS last,
       least(s.max_value, CASE col.atttypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647 ELSE s.max_value END)::text AS max,
       CASE WHEN col.attname IS NULL THEN NULL ELSE tab.relname || '.' || col.attname END AS column
     FROM pg_sequences s
     JOIN pg_class seq ON seq.relname = s.sequencename JOIN pg_namespace sn ON sn.oid = seq.relnamespace AND sn.nspname = s.schemaname
     LEFT JOIN pg_depend d ON d.objid = seq.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
     LEFT JOIN pg_class tab ON tab.oid = d.refobjid
     LEFT JOIN pg_attribute col ON col.attrelid = d.refobjid AND col.attnum = d.refobjsubid
     WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL AND s.increment_by > 0`,
  );
  return found
    .filter((r) => Number(r.last) / Number(r.max) > thresholds.sequenceUsed)
    .map((r) => {
      const used = Number(r.last) / Number(r.max);
      return {
        kind: 'sequence-overflow',
        severity: used > 0.95 ? 'critical' : 'warning',
        subject: r.sequence,
        message: `Sequence ${r.sequence}${r.column ? ` (filling ${r.column})` : ''} is at ${r.last} of ${r.max} (${percent(used)} used).`,
        advice: r.column
          ? `Change ${r.column} to bigint (ALTER TABLE ... ALTER COLUMN ... TYPE bigint, and ALTER SEQUENCE ${r.sequence} AS bigint) before inserts start failing.`
          : `ALTER SEQUENCE ${r.sequence} AS bigint (or raise its MAXVALUE) before nextval() starts failing.`,
      } satisfies Finding;
    });
};
