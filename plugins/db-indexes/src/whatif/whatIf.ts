import { randomBytes } from 'node:crypto';
import type { NamedQuery } from '@plugboard/plugin-conversations';
import { QueryTypes, type Sequelize } from 'sequelize';
import { indexesUsed, planShape, type PlanNode } from '../analysis/plan.js';
import { msSetting, rows } from '../sql.js';
import { parseCreateIndex, predicateColumns, renderCreateIndex, WhatIfInputError, type ParsedIndex } from './parse.js';

export interface WhatIfPlan {
  cost: number;
  shape: string;
  indexes: string[];
  /** Execution time (ms) of EXPLAIN ANALYZE; absent with hypopg, which can only EXPLAIN. */
  timeMs?: number;
}

export interface WhatIfQuery {
  name: string;
  before: WhatIfPlan;
  after: WhatIfPlan;
  usesCandidate: boolean;
  /** before.cost / after.cost */
  costRatio: number;
}

export interface WhatIfResult {
  statement: string;
  table: string;
  method: 'hypopg' | 'build-and-rollback';
  /** What the method cost the database while it ran. */
  notice: string;
  queries: WhatIfQuery[];
  /** Estimated (hypopg) or measured size of the candidate, bytes. */
  sizeBytes?: number;
  buildMs?: number;
}

export interface WhatIfOptions {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  maxTableBytes: number;
  /** Allow the real build (locks writes); otherwise refused when hypopg is not installed. */
  allowBuild: boolean;
}

/** Why a what-if was refused: `input` (400: the statement) or `refused` (409: the database state or options). */
export class WhatIfRefusal extends Error {
  constructor(readonly reason: 'input' | 'refused', message: string) {
    super(message);
  }
}

/**
 * The effect of a candidate index on the named queries that read its table, before anyone builds
 * it: with hypopg when the extension is installed (a hypothetical index, free), otherwise by
 * building it in a transaction, EXPLAIN ANALYZE, and ROLLBACK, which holds a SHARE lock that
 * blocks writes to the table meanwhile (only when `allowBuild`, under `lock_timeout`, refused on
 * a table larger than `maxTableBytes`). The schema is unchanged afterwards either way.
 *
 * @example
 * const r = await whatIf(sequelize, 'CREATE INDEX ON conversations (user_id)', Object.values(queries), options);
 */
export async function whatIf(sequelize: Sequelize, statement: string, named: readonly NamedQuery[], options: WhatIfOptions): Promise<WhatIfResult> {
  let parsed: ParsedIndex;
  try {
    parsed = parseCreateIndex(statement);
  } catch (err) {
    if (err instanceof WhatIfInputError) throw new WhatIfRefusal('input', err.message);
    throw err;
  }
  await checkColumns(sequelize, parsed);
  const name = `plugboard_whatif_${randomBytes(4).toString('hex')}`;
  const sql = renderCreateIndex(parsed, name);
  const affected = named.filter((q) => new RegExp(`\\b(FROM|JOIN)\\s+${parsed.table}\\b`, 'i').test(q.sql));
  if (await hasHypopg(sequelize)) return viaHypopg(sequelize, sql, parsed.table, affected, options);
  if (!options.allowBuild) {
    throw new WhatIfRefusal(
      'refused',
      'hypopg is not installed, so the what-if would really build the index in a transaction, which blocks writes to the table while it builds. Ask again with build allowed (--build, or "build": true), or install hypopg (CREATE EXTENSION hypopg) for a free hypothetical index.',
    );
  }
  return viaBuild(sequelize, sql, parsed.table, affected, options);
}

async function checkColumns(sequelize: Sequelize, p: ParsedIndex): Promise<void> {
  const found = await rows<{ column: string }>(
    sequelize,
    `SELECT column_name::text AS column FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
    [p.table],
  );
  if (found.length === 0) throw new WhatIfRefusal('input', `Table '${p.table}' does not exist in the current schema.`);
  const columns = new Set(found.map((r) => r.column));
  const named = [...p.columns.map((c) => c.name), ...p.include, ...predicateColumns(p)];
  const unknown = [...new Set(named.filter((c) => !columns.has(c)))];
  if (unknown.length > 0) {
    throw new WhatIfRefusal('input', `Table '${p.table}' has no column ${unknown.map((c) => `'${c}'`).join(', ')}. Its columns: ${[...columns].join(', ')}.`);
  }
}

async function hasHypopg(sequelize: Sequelize): Promise<boolean> {
  const [r] = await rows<{ ok: boolean }>(sequelize, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS ok");
  return r?.ok ?? false;
}

async function plan(sequelize: Sequelize, q: NamedQuery, analyze: boolean, transaction: Awaited<ReturnType<Sequelize['transaction']>>): Promise<WhatIfPlan> {
  const head = analyze ? 'EXPLAIN (ANALYZE, FORMAT JSON) ' : 'EXPLAIN (FORMAT JSON) ';
  const [row] = await sequelize.query<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time'?: number }[] }>(head + q.sql, {
    bind: q.sample(),
    transaction,
    type: QueryTypes.SELECT,
  });
  const root = row!['QUERY PLAN'][0]!;
  const out: WhatIfPlan = { cost: root.Plan['Total Cost'], shape: planShape(root.Plan), indexes: indexesUsed(root.Plan) };
  if (root['Execution Time'] !== undefined) out.timeMs = root['Execution Time'];
  return out;
}

function compare(name: string, before: WhatIfPlan, after: WhatIfPlan, candidate: (index: string) => boolean): WhatIfQuery {
  return { name, before, after, usesCandidate: after.indexes.some(candidate), costRatio: Math.round((before.cost / Math.max(after.cost, 0.01)) * 10) / 10 };
}

async function viaHypopg(sequelize: Sequelize, sql: string, table: string, affected: readonly NamedQuery[], options: WhatIfOptions): Promise<WhatIfResult> {
  const tx = await sequelize.transaction();
  try {
    await sequelize.query(`SET LOCAL statement_timeout = '${msSetting(options.statementTimeoutMs)}'`, { transaction: tx });
    // A failed statement below aborts the transaction; rolling back to here makes it usable again
    // for the hypopg_reset() of the finally block.
    await sequelize.query('SAVEPOINT plugboard_whatif', { transaction: tx });
    const before = new Map<string, WhatIfPlan>();
    for (const q of affected) before.set(q.name, await plan(sequelize, q, false, tx));
    const [created] = await sequelize.query<{ indexrelid: number; indexname: string }>('SELECT * FROM hypopg_create_index($1)', {
      bind: [sql],
      transaction: tx,
      type: QueryTypes.SELECT,
    });
    const [size] = await sequelize.query<{ size: string }>('SELECT hypopg_relation_size($1) AS size', {
      bind: [created!.indexrelid],
      transaction: tx,
      type: QueryTypes.SELECT,
    });
    const queries: WhatIfQuery[] = [];
    for (const q of affected) queries.push(compare(q.name, before.get(q.name)!, await plan(sequelize, q, false, tx), (i) => i.includes(created!.indexname)));
    return {
      statement: sql, table, method: 'hypopg', queries, sizeBytes: Number(size?.size ?? 0),
      notice: 'hypopg made a hypothetical index visible only to this session: nothing was built or locked, and costs are the planner\'s estimates.',
    };
  } finally {
    // Hypothetical indexes belong to the session, not the transaction: reset them on every path,
    // or they would stay on this pooled connection and skew later plans.
    await sequelize
      .query('ROLLBACK TO SAVEPOINT plugboard_whatif', { transaction: tx })
      .then(() => sequelize.query('SELECT hypopg_reset()', { transaction: tx }))
      .catch(() => undefined);
    await tx.rollback();
  }
}

async function viaBuild(sequelize: Sequelize, sql: string, table: string, affected: readonly NamedQuery[], options: WhatIfOptions): Promise<WhatIfResult> {
  const [size] = await rows<{ size: string }>(sequelize, 'SELECT pg_total_relation_size(c.oid) AS size FROM pg_class c WHERE c.oid = to_regclass($1)', [table]);
  const tableBytes = Number(size?.size ?? 0);
  if (tableBytes > options.maxTableBytes) {
    throw new WhatIfRefusal(
      'refused',
      `Table '${table}' is ${tableBytes} bytes, more than whatIf.maxTableBytes (${options.maxTableBytes}): building the candidate would block its writes for too long. Install hypopg, or raise whatIf.maxTableBytes.`,
    );
  }
  const name = /INDEX "([^"]+)"/.exec(sql)![1]!;
  const tx = await sequelize.transaction();
  try {
    await sequelize.query(`SET LOCAL lock_timeout = '${msSetting(options.lockTimeoutMs)}'`, { transaction: tx });
    await sequelize.query(`SET LOCAL statement_timeout = '${msSetting(options.statementTimeoutMs)}'`, { transaction: tx });
    const before = new Map<string, WhatIfPlan>();
    for (const q of affected) before.set(q.name, await plan(sequelize, q, true, tx));
    const started = performance.now();
    await sequelize.query(sql, { transaction: tx });
    const buildMs = Math.round(performance.now() - started);
    const [built] = await sequelize.query<{ size: string }>('SELECT pg_relation_size(to_regclass($1)) AS size', { bind: [name], transaction: tx, type: QueryTypes.SELECT });
    const queries: WhatIfQuery[] = [];
    for (const q of affected) queries.push(compare(q.name, before.get(q.name)!, await plan(sequelize, q, true, tx), (i) => i === name));
    return {
      statement: sql, table, method: 'build-and-rollback', queries, sizeBytes: Number(built?.size ?? 0), buildMs,
      notice: `The candidate was really built in a transaction and rolled back: for ${buildMs} ms of building (and the EXPLAINs) it held a SHARE lock on ${table}, which blocked writes to it. Nothing was kept. Install hypopg to do this for free.`,
    };
  } catch (err) {
    if ((err as { parent?: { code?: string } }).parent?.code === '55P03') {
      throw new WhatIfRefusal('refused', `Could not lock ${table} within whatIf.lockTimeout (${options.lockTimeoutMs} ms): writes hold it. Try again later; nothing was built.`);
    }
    throw err;
  } finally {
    await tx.rollback();
  }
}
