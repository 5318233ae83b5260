import type { Finding } from '../contract.js';
import { rows } from '../sql.js';
import { findDuplicates, type IndexShapeRow } from './duplicates.js';
import { bytes, type HealthCheck } from './types.js';

/** Tables read mostly by sequential scans over many rows (PgHero's "missing indexes"). */
export const missingIndexes: HealthCheck = async ({ sequelize, thresholds }) => {
  const found = await rows<{ table: string; seq_scan: string; idx_scan: string | null; live: string; seq_tup_read: string }>(
    sequelize,
    `SELECT relname AS "table", seq_scan, idx_scan, n_live_tup AS live, seq_tup_read
     FROM pg_stat_user_tables
     WHERE schemaname = current_schema() AND seq_scan > $1 AND n_live_tup >= $2
       AND 100 * coalesce(idx_scan, 0) < 95 * (seq_scan + coalesce(idx_scan, 0))
     ORDER BY seq_tup_read DESC`,
    [thresholds.missingIndexSeqScans, thresholds.missingIndexRows],
  );
  return found.map((r) => {
    const share = Math.round((100 * Number(r.seq_scan)) / (Number(r.seq_scan) + Number(r.idx_scan ?? 0)));
    return {
      kind: 'missing-index',
      severity: 'warning',
      subject: r.table,
      message: `Table ${r.table} (${r.live} rows) was read by ${r.seq_scan} sequential scans (${share}% of its scans, ${r.seq_tup_read} rows read).`,
      advice: `Find the queries that scan it (plugboard db report lists slow queries from pg_stat_statements), try an index with plugboard db whatif "CREATE INDEX ON ${r.table} (...)", and declare the one that helps: every sequential scan reads the whole table.`,
    } satisfies Finding;
  });
};

/** Large indexes scanned rarely, not unique and backing no constraint. */
export const unusedIndexes: HealthCheck = async ({ sequelize, thresholds }) => {
  const found = await rows<{ index: string; table: string; scans: string; size: string }>(
    sequelize,
    `SELECT s.indexrelname AS index, s.relname AS "table", s.idx_scan AS scans, pg_relation_size(s.indexrelid) AS size
     FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
     WHERE s.schemaname = current_schema() AND s.idx_scan < $1 AND pg_relation_size(s.indexrelid) >= $2
       AND NOT i.indisunique AND i.indisvalid
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid)
     ORDER BY pg_relation_size(s.indexrelid) DESC`,
    [thresholds.unusedIndexScans, thresholds.unusedIndexBytes],
  );
  return found.map((r) => ({
    kind: 'unused-index',
    severity: 'info',
    subject: r.index,
    message: `Index ${r.index} on ${r.table} (${bytes(Number(r.size))}) was scanned ${r.scans} times since statistics were reset.`,
    advice: `If no query needs it (check replicas and rare jobs too), drop it with DROP INDEX CONCURRENTLY ${r.index}: every insert and update of ${r.table} pays for keeping it.`,
  }));
};

/** Indexes another index makes redundant (PgHero's duplicate indexes). */
export const duplicateIndexes: HealthCheck = async ({ sequelize }) => {
  const found = await rows<Omit<IndexShapeRow, 'columns' | 'options' | 'opclasses'> & { columns: string; options: string; opclasses: string }>(
    sequelize,
    `SELECT c.relname AS name, t.relname AS "table", am.amname AS method, i.indkey::text AS columns,
       i.indnkeyatts AS "keyColumns", i.indoption::text AS options, i.indclass::text AS opclasses,
       pg_get_expr(i.indexprs, i.indrelid) AS expressions, pg_get_expr(i.indpred, i.indrelid) AS predicate,
       i.indisunique AS unique, i.indisprimary AS primary
     FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = c.relam
     WHERE n.nspname = current_schema() AND i.indisvalid`,
  );
  const numbers = (s: string) => (s.trim() === '' ? [] : s.trim().split(/\s+/).map(Number));
  const shaped = found.map((r) => ({ ...r, columns: numbers(r.columns), options: numbers(r.options), opclasses: numbers(r.opclasses) }));
  return findDuplicates(shaped).map(({ duplicate, coveredBy }) => ({
    kind: 'duplicate-index',
    severity: 'warning',
    subject: duplicate.name,
    message: `Index ${duplicate.name} on ${duplicate.table} is covered by ${coveredBy.name}: its columns are a prefix of that index's, with the same method, expressions and predicate.`,
    advice: `Drop it with DROP INDEX CONCURRENTLY ${duplicate.name}: ${coveredBy.name} serves the same lookups, and each index slows every write.`,
  }));
};

/** INVALID indexes (a failed concurrent build) and NOT VALID constraints. */
export const invalidIndexesAndConstraints: HealthCheck = async ({ sequelize, building }) => {
  const indexes = await rows<{ index: string; table: string; def: string }>(
    sequelize,
    `SELECT c.relname AS index, t.relname AS "table", pg_get_indexdef(c.oid) AS def
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND NOT i.indisvalid
       AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = c.oid)`,
  );
  const constraints = await rows<{ name: string; table: string; def: string }>(
    sequelize,
    `SELECT con.conname AS name, t.relname AS "table", pg_get_constraintdef(con.oid) AS def
     FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = current_schema() AND NOT con.convalidated`,
  );
  const findings: Finding[] = indexes
    .filter((r) => !building.has(r.index))
    .map((r) => ({
      kind: 'invalid-index',
      severity: 'critical',
      subject: r.index,
      message: `Index ${r.index} on ${r.table} is INVALID: a CREATE INDEX CONCURRENTLY failed or was cancelled. It serves no query but every write still updates it.`,
      advice: `Fix what made the build fail (for a unique index: the duplicate rows), then run plugboard db ensure-indexes (it drops and rebuilds declared indexes) or DROP INDEX CONCURRENTLY ${r.index}; ${r.def.replace(' INDEX ', ' INDEX CONCURRENTLY ')}.`,
    }));
  for (const r of constraints) {
    findings.push({
      kind: 'invalid-constraint',
      severity: 'warning',
      subject: r.name,
      message: `Constraint ${r.name} on ${r.table} is NOT VALID: rows written before it was added were never checked (${r.def}).`,
      advice: `Run ALTER TABLE ${r.table} VALIDATE CONSTRAINT ${r.name} (it takes only a SHARE UPDATE EXCLUSIVE lock), after fixing rows that break it.`,
    });
  }
  return findings;
};
