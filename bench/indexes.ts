/**
 * The eight indexes against their queries, on 1,000,000 conversations and 100,000 users stored
 * in time order (as an append-only table grows). Each named query of plugins/conversations runs
 * many times without the indexes, then the plugin ensures them (CREATE INDEX CONCURRENTLY, with
 * progress) and after VACUUM (ANALYZE) they run again; per query: median before and after, the
 * speedup and the index the plan used. Then insert throughput of conversations with and without
 * the conversations indexes. Uses its own database on the server of BENCH_DATABASE_URL (default:
 * the machine's, postgres://postgres@127.0.0.1:5432/postgres), dropped at the end.
 */
import { metrics } from '@opentelemetry/api';
import pg from 'pg';
import { pino } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import { connectToUrl } from '../core/runtime/src/database/connect.js';
import { withDatabase } from '../core/runtime/src/database/displayUrl.js';
import { migrations } from '../plugins/conversations/src/migrations/index.js';
import { queries, seed, type NamedQuery } from '../plugins/conversations/src/index.js';
import { configSchema } from '../plugins/db-indexes/src/config.js';
import { DbIndexes } from '../plugins/db-indexes/src/DbIndexes.js';
import { EIGHT_INDEXES } from '../plugins/db-indexes/src/declarations.js';
import { createIndexSql } from '../plugins/db-indexes/src/ensure/ddl.js';
import { describeProgress } from '../plugins/db-indexes/src/ensure/progress.js';
import { indexesUsed, type PlanNode } from '../plugins/db-indexes/src/analysis/plan.js';
import { median, round2 } from './stats.js';

const USERS = 100_000;
const CONVERSATIONS = 1_000_000;
const RUNS_BEFORE = 9;
const RUNS_AFTER = 60;
const INSERT_ROWS = 100_000;
const INSERT_BATCH = 1_000;

const serverUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `plugboard_bench_indexes_${process.pid}`;
const logger = pino({ level: 'warn' });

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function time(sequelize: Sequelize, q: NamedQuery): Promise<number> {
  const started = performance.now();
  await sequelize.query(q.sql, { bind: q.sample(), type: QueryTypes.SELECT });
  return performance.now() - started;
}

async function measure(sequelize: Sequelize, q: NamedQuery, runs: number): Promise<number> {
  for (let i = 0; i < 2; i += 1) await time(sequelize, q);
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await time(sequelize, q));
  return median(samples);
}

async function planIndexes(sequelize: Sequelize, q: NamedQuery): Promise<string[]> {
  const [row] = await sequelize.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${q.sql}`, { bind: q.sample(), type: QueryTypes.SELECT });
  return indexesUsed(row!['QUERY PLAN'][0]!.Plan);
}

/** Seconds to insert INSERT_ROWS conversations copied from `source` into `target`, in batches. */
async function insertSeconds(sequelize: Sequelize, target: string): Promise<number> {
  await sequelize.query(`TRUNCATE ${target}`);
  const started = performance.now();
  for (let lo = 1; lo <= INSERT_ROWS; lo += INSERT_BATCH) {
    await sequelize.query(
      `INSERT INTO ${target} SELECT gen_random_uuid(), user_id, ai_model, user_message, ai_response, prompt_tokens, completion_tokens,
         total_tokens, status, processing_time_ms, created_at FROM bench_insert_source WHERE n BETWEEN $1 AND $2`,
      { bind: [lo, lo + INSERT_BATCH - 1] },
    );
  }
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  await admin(`CREATE DATABASE ${dbName}`);
  const db = await connectToUrl(withDatabase(serverUrl, dbName), { logger });
  try {
    const { sequelize } = db;
    for (const m of migrations) await m.up({ sequelize });
    let t = performance.now();
    await seed({ sequelize, users: USERS, conversations: CONVERSATIONS, seed: 1 });
    // Time order: rewrite the table sorted by created_at, as rows arrive in a real one.
    await sequelize.query('CREATE INDEX bench_cluster ON conversations (created_at)');
    await sequelize.query('CLUSTER conversations USING bench_cluster');
    await sequelize.query('DROP INDEX bench_cluster');
    await sequelize.query('CLUSTER users USING users_pkey');
    await sequelize.query('VACUUM (ANALYZE) conversations');
    await sequelize.query('VACUUM (ANALYZE) users');
    console.log(`seeded ${USERS} users and ${CONVERSATIONS} conversations in time order in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const named = Object.values(queries);
    const before = new Map<string, { ms: number; indexes: string[] }>();
    for (const q of named) before.set(q.name, { ms: await measure(sequelize, q, RUNS_BEFORE), indexes: await planIndexes(sequelize, q) });

    const dbIndexes = new DbIndexes({
      database: db,
      config: configSchema.parse({ progressEvery: '1s' }),
      logger,
      meter: metrics.getMeter('bench'),
      onProgress: (p) => console.log(`  building ${p.index}: ${describeProgress(p)}`),
    });
    t = performance.now();
    const ensured = await dbIndexes.ensure({ includeLarge: true, wait: true });
    console.log(`built ${ensured.built.map((b) => `${b.index} (${b.outcome}, ${(b.durationMs / 1000).toFixed(1)} s)`).join(', ')} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await sequelize.query('VACUUM (ANALYZE) conversations');
    await sequelize.query('VACUUM (ANALYZE) users');

    const rows = [];
    for (const q of named) {
      const ms = await measure(sequelize, q, RUNS_AFTER);
      const b = before.get(q.name)!;
      const intended = EIGHT_INDEXES.filter((d) => d.serves === q.name || d.alsoServes?.includes(q.name)).map((d) => d.name);
      const used = await planIndexes(sequelize, q);
      rows.push({
        name: q.name,
        before_ms: round2(b.ms),
        after_ms: round2(ms),
        speedup: round2(b.ms / ms),
        index: used.join('+') || null,
        intended: intended.join('+'),
        intended_used: intended.some((i) => used.includes(i)),
        before_index: b.indexes.join('+') || 'seq scan',
      });
    }

    // Insert cost: the same rows into a bare copy of conversations and into one with the five
    // conversations indexes of the eight.
    await sequelize.query(
      `CREATE TABLE bench_insert_source AS SELECT row_number() OVER () AS n, * FROM conversations LIMIT ${INSERT_ROWS}`,
    );
    await sequelize.query('CREATE INDEX ON bench_insert_source (n)');
    await sequelize.query('CREATE TABLE bench_plain (LIKE conversations INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (id))');
    await sequelize.query('CREATE TABLE bench_indexed (LIKE conversations INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (id))');
    for (const d of EIGHT_INDEXES.filter((x) => x.table === 'conversations')) {
      await sequelize.query(createIndexSql(d, { name: `bench_${d.name}`, table: 'bench_indexed' }));
    }
    const plain: number[] = [];
    const indexed: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      plain.push(await insertSeconds(sequelize, 'bench_plain'));
      indexed.push(await insertSeconds(sequelize, 'bench_indexed'));
    }
    const insertRatio = round2(median(indexed) / median(plain));

    console.log('');
    console.log('query                  before ms   after ms   speedup  index used (intended)                        before');
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(22)} ${r.before_ms.toFixed(2).padStart(9)} ${r.after_ms.toFixed(3).padStart(10)} ${`${r.speedup.toFixed(1)}x`.padStart(9)}  ${`${r.index ?? 'none'}${r.intended_used ? '' : ` (intended ${r.intended})`}`.padEnd(44)} ${r.before_index}`,
      );
    }
    console.log('');
    console.log(
      `insert ${INSERT_ROWS} conversations in batches of ${INSERT_BATCH}: ${(INSERT_ROWS / median(plain)).toFixed(0)} rows/s without the indexes, ${(INSERT_ROWS / median(indexed)).toFixed(0)} rows/s with them (cost ratio ${insertRatio})`,
    );
    const minSpeedup = Math.min(...rows.map((r) => r.speedup));
    console.log(
      JSON.stringify({
        bench: 'indexes',
        queries: rows.map((r) => ({ name: r.name, before_ms: r.before_ms, after_ms: r.after_ms, speedup: r.speedup, index: r.index })),
        min_speedup: minSpeedup,
        insert_cost_ratio: insertRatio,
      }),
    );
  } finally {
    await db.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
