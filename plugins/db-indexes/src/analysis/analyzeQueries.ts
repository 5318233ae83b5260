import { QueryTypes, type Sequelize } from 'sequelize';
import type { NamedQuery } from '@plugboard/plugin-conversations';
import type { Finding, QueryAnalysis } from '../contract.js';
import { msSetting, rows } from '../sql.js';
import { findMisestimates, hasSeqScan, indexesUsed, misestimateAdvice, planShape, type PlanNode } from './plan.js';

interface ExplainRoot {
  Plan: PlanNode;
  'Planning Time'?: number;
  'Execution Time'?: number;
}

/** `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` (plain `EXPLAIN (FORMAT JSON)` with `analyze: false`) of `sql`, in a transaction that is rolled back, under `statement_timeout`. */
export async function explain(sequelize: Sequelize, sql: string, bind: unknown[], options: { analyze: boolean; timeoutMs: number }): Promise<ExplainRoot> {
  const tx = await sequelize.transaction();
  try {
    await sequelize.query(`SET LOCAL statement_timeout = '${msSetting(options.timeoutMs)}'`, { transaction: tx });
    const head = options.analyze ? 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ' : 'EXPLAIN (FORMAT JSON) ';
    const [row] = await sequelize.query<{ 'QUERY PLAN': ExplainRoot[] }>(head + sql, { bind, transaction: tx, type: QueryTypes.SELECT });
    return row!['QUERY PLAN'][0]!;
  } finally {
    await tx.rollback();
  }
}

/**
 * Explains each named query with its sample parameters, in a transaction that is rolled back
 * (the domain's queries only read, and a rollback keeps it so), under `statement_timeout`.
 *
 * @example
 * const analyses = await analyzeQueries(sequelize, Object.values(queries), { timeoutMs: 10_000, estimateFactor: 10, intended });
 */
export async function analyzeQueries(
  sequelize: Sequelize,
  named: readonly NamedQuery[],
  options: { timeoutMs: number; estimateFactor: number; intended: (query: string) => string[] },
): Promise<QueryAnalysis[]> {
  const columns = await tableColumns(sequelize);
  const out: QueryAnalysis[] = [];
  for (const q of named) {
    const base = { name: q.name, intendedIndexes: options.intended(q.name), indexes: [] as string[], misestimates: [] };
    try {
      const root = await explain(sequelize, q.sql, q.sample(), { analyze: true, timeoutMs: options.timeoutMs });
      const plan = root.Plan;
      out.push({
        ...base,
        shape: planShape(plan),
        indexes: indexesUsed(plan),
        seqScan: hasSeqScan(plan),
        timeMs: root['Execution Time'] ?? 0,
        planningMs: root['Planning Time'] ?? 0,
        totalCost: plan['Total Cost'],
        buffers: { hit: plan['Shared Hit Blocks'] ?? 0, read: plan['Shared Read Blocks'] ?? 0 },
        misestimates: findMisestimates(plan, options.estimateFactor).map((m) => ({
          ...m,
          advice: misestimateAdvice(m, columns.get(m.relation ?? '') ?? []),
        })),
      });
    } catch (err) {
      out.push({ ...base, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

/** Findings of a query analysis: misestimates, and queries that do not use their intended index. */
export function analysisFindings(analyses: readonly QueryAnalysis[]): Finding[] {
  const findings: Finding[] = [];
  for (const a of analyses) {
    if (a.error) {
      findings.push({
        kind: 'query-analysis-failed',
        severity: 'warning',
        subject: a.name,
        message: `EXPLAIN ANALYZE of ${a.name} failed: ${a.error}`,
        advice: 'A statement timeout means the query is too slow for its sample parameters: check that its index exists (plugboard db report) or raise analysisTimeout.',
      });
      continue;
    }
    for (const m of a.misestimates) {
      findings.push({
        kind: 'estimate-off',
        severity: 'warning',
        subject: `${a.name}: ${m.node}`,
        message: `The planner expected ${m.estimatedRows} rows and got ${m.actualRows} (${m.factor}x off)${m.condition ? ` for ${m.condition}` : ''}.`,
        advice: m.advice,
      });
    }
    const missing = a.intendedIndexes.filter((i) => !a.indexes.includes(i));
    if (a.intendedIndexes.length > 0 && missing.length === a.intendedIndexes.length) {
      findings.push({
        kind: 'index-not-used',
        severity: a.seqScan ? 'warning' : 'info',
        subject: a.name,
        message: `${a.name} does not use its index ${a.intendedIndexes.join(' or ')} (plan: ${a.shape}, ${a.timeMs?.toFixed(2)} ms).`,
        advice: `Check the index is valid (plugboard db ensure-indexes builds it) and the statistics fresh (ANALYZE); on a small table a sequential scan is cheaper and this is expected.`,
      });
    }
  }
  return findings;
}

/** Column names of each table of the current schema. */
export async function tableColumns(sequelize: Sequelize): Promise<Map<string, string[]>> {
  const found = await rows<{ table: string; columns: string[] }>(
    sequelize,
    `SELECT table_name AS "table", array_agg(column_name::text ORDER BY ordinal_position) AS columns
     FROM information_schema.columns WHERE table_schema = current_schema() GROUP BY table_name`,
  );
  return new Map(found.map((r) => [r.table, r.columns]));
}
