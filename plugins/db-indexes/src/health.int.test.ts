import { metrics } from '@opentelemetry/api';
import { createTestDatabase, startTestKernel, type TestDatabase } from '@plugboard/core/testing';
import conversations, { queries, seed, type NamedQuery } from '@plugboard/plugin-conversations';
import { pino } from 'pino';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from './config.js';
import { dbIndexesOpsRef, dbIndexesRef, type DbReport, type Finding } from './contract.js';
import { DbIndexes } from './DbIndexes.js';
import dbIndexes from './plugin.js';
import { eventually } from './testSupport.js';

const CHECKED_KINDS = [
  'missing-index', 'unused-index', 'duplicate-index', 'invalid-index', 'invalid-constraint', 'cache-hit-rate', 'bloat',
  'sequence-overflow', 'slow-query', 'slow-queries-unavailable', 'long-running-query', 'idle-in-transaction', 'vacuum', 'autovacuum-off',
];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a healthy schema', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.close());

  it('gets no finding from any health check', async () => {
    const app = await startTestKernel({ plugins: [conversations, dbIndexes], database: db, config: { 'db-indexes': { thresholds: { cacheMinReads: 10 } } } });
    try {
      await seed({ sequelize: db.sequelize, users: 200, conversations: 3_000, seed: 9 });
      await app.get(dbIndexesOpsRef).maintain('vacuum');
      // A working set read again and again, as a live database's is.
      for (let i = 0; i < 100; i += 1) {
        await db.sequelize.query(queries.userTokenTotals.sql, { bind: queries.userTokenTotals.sample() });
        await db.sequelize.query('SELECT count(*) FROM users');
      }
      // A backend that goes idle soon after its last flush sends its statistics up to 10 s later.
      await eventually(async () => {
        const rates = (await app.get(dbIndexesRef).report({ analyzeQueries: false })).cacheHitRates;
        return (rates?.table ?? 0) > 0.9 && (rates?.index ?? 0) > 0.9 ? true : undefined;
      }, 400);
      const report = await app.get(dbIndexesRef).report();
      // The one thing outside the schema: a server whose autovacuum someone turned off is reported.
      const [setting] = await db.sequelize.query<{ on: boolean }>("SELECT current_setting('autovacuum')::bool AS on", { type: QueryTypes.SELECT });
      const serverOff = setting?.on === false;
      expect(report.findings.filter((f) => CHECKED_KINDS.includes(f.kind)).map((f) => [f.kind, f.subject])).toEqual(serverOff ? [['autovacuum-off', 'server']] : []);
      expect(report.statStatements).toBe('ready');
      expect(report.cacheHitRates?.table).toBeGreaterThan(0.9);
      expect(report.tables?.map((t) => [t.table, t.autovacuum, t.tableAutovacuum, t.lastVacuum !== null])).toEqual([
        ['conversations', !serverOff, true, true],
        ['users', !serverOff, true, true],
      ]);
    } finally {
      await app.stop();
    }
  });
});

describe('planted problems', () => {
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof startTestKernel>>;
  const report = () => app.get(dbIndexesRef).report({ analyzeQueries: false });
  const find = async (kind: string, subject?: string): Promise<Finding> =>
    eventually(async () => (await report()).findings.find((f) => f.kind === kind && (subject === undefined || f.subject.includes(subject))));

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestKernel({
      plugins: [conversations, dbIndexes],
      database: db,
      config: {
        'db-indexes': {
          thresholds: {
            missingIndexSeqScans: 5, missingIndexRows: 1_000, unusedIndexBytes: 200_000, cacheMinReads: 100, bloatBytes: 100_000,
            slowQueryMs: 20, slowQueryCalls: 3, longRunning: '300ms', idleInTransaction: '300ms',
          },
        },
      },
    });
  });
  afterAll(async () => {
    await app.stop();
    await db.close();
  });

  it('missing index: a large table read by sequential scans', async () => {
    await db.sequelize.query('CREATE TABLE events (id bigint, kind int, payload text)');
    await db.sequelize.query("INSERT INTO events SELECT g, g % 100, md5(g::text) FROM generate_series(1, 20000) g");
    await db.sequelize.query('ANALYZE events');
    for (let i = 0; i < 8; i += 1) await db.sequelize.query('SELECT count(*) FROM events WHERE kind = $1', { bind: [i] });
    const f = await find('missing-index', 'events');
    expect(f.advice).toContain('whatif');
  });

  it('unused and duplicate indexes', async () => {
    await db.sequelize.query('CREATE TABLE orders (id bigint, customer int, placed date)');
    await db.sequelize.query("INSERT INTO orders SELECT g, g % 1000, date '2024-01-01' + (g % 300) FROM generate_series(1, 30000) g");
    await db.sequelize.query('CREATE INDEX orders_customer ON orders (customer)');
    await db.sequelize.query('CREATE INDEX orders_customer_placed ON orders (customer, placed)');
    expect((await find('unused-index', 'orders_customer')).advice).toContain('DROP INDEX CONCURRENTLY');
    const dup = await find('duplicate-index', 'orders_customer');
    expect(dup.subject).toBe('orders_customer');
    expect(dup.message).toContain('orders_customer_placed');
  });

  it('an invalid (NOT VALID) constraint', async () => {
    await db.sequelize.query('CREATE TABLE payments (amount int)');
    await db.sequelize.query('INSERT INTO payments VALUES (-1)');
    await db.sequelize.query('ALTER TABLE payments ADD CONSTRAINT payments_positive CHECK (amount > 0) NOT VALID');
    expect((await find('invalid-constraint', 'payments_positive')).advice).toContain('VALIDATE CONSTRAINT');
  });

  it('index bloat', async () => {
    await db.sequelize.query('CREATE TABLE churn (id int)');
    await db.sequelize.query('INSERT INTO churn SELECT g FROM generate_series(1, 200000) g');
    await db.sequelize.query('CREATE INDEX churn_id ON churn (id)');
    await db.sequelize.query('DELETE FROM churn WHERE id > 10000');
    await app.get(dbIndexesOpsRef).maintain('analyze');
    await db.sequelize.query('VACUUM ANALYZE churn');
    expect((await find('bloat', 'churn_id')).advice).toContain('REINDEX INDEX CONCURRENTLY churn_id');
  });

  it('a sequence near the end of its int column', async () => {
    await db.sequelize.query('CREATE TABLE tickets (id serial PRIMARY KEY)');
    await db.sequelize.query("SELECT setval('tickets_id_seq', 2000000000)");
    const f = await find('sequence-overflow', 'tickets_id_seq');
    expect(f.message).toContain('tickets.id');
    expect(f.advice).toContain('bigint');
  });

  it('slow queries from pg_stat_statements', async () => {
    for (let i = 0; i < 3; i += 1) await db.sequelize.query('SELECT pg_sleep(0.03)');
    expect((await find('slow-query', 'pg_sleep')).message).toMatch(/Called \d+ times/);
  });

  it('a long-running query and a connection idle in a transaction', async () => {
    const long = db.sequelize.query('SELECT pg_sleep(4)');
    const tx = await db.sequelize.transaction();
    try {
      await db.sequelize.query('SELECT 1', { transaction: tx });
      await sleep(500);
      const r = await report();
      expect(r.findings.find((f) => f.kind === 'long-running-query')?.message).toContain('SELECT pg_sleep(?)');
      expect(r.findings.find((f) => f.kind === 'idle-in-transaction')?.message).toContain('last statement: SELECT ?');
    } finally {
      await tx.rollback();
      await long;
    }
  });

  it('dead tuples and autovacuum off, until the vacuum task runs', async () => {
    await seed({ sequelize: db.sequelize, users: 50, conversations: 4_000, seed: 1 });
    await db.sequelize.query('ALTER TABLE conversations SET (autovacuum_enabled = false)');
    await db.sequelize.query("DELETE FROM conversations WHERE status = 'completed'");
    expect((await find('vacuum', 'conversations')).advice).toContain('VACUUM (ANALYZE) conversations');
    expect((await report()).findings.map((f) => [f.kind, f.subject])).toContainEqual(['autovacuum-off', 'conversations']);
    await app.get(dbIndexesOpsRef).maintain('vacuum');
    await eventually(async () => ((await report()).findings.some((f) => f.kind === 'vacuum') ? undefined : true));
    const table = (await report()).tables?.find((t) => t.table === 'conversations');
    expect(table?.lastVacuum).not.toBeNull();
    await db.sequelize.query('ALTER TABLE conversations RESET (autovacuum_enabled)');
  });
});

describe('a low cache hit rate', () => {
  it('is flagged, and not before enough blocks were read', async () => {
    const db = await createTestDatabase();
    try {
      const config = configSchema.parse({ thresholds: { cacheMinReads: 500 } });
      const dbi = new DbIndexes({ database: db, config, logger: pino({ level: 'silent' }), meter: metrics.getMeter('test'), queries: [] });
      await db.sequelize.query('CREATE TABLE warm AS SELECT g AS n FROM generate_series(1, 10000) g');
      await sleep(1_200);
      expect((await dbi.service.report()).findings.filter((f) => f.kind === 'cache-hit-rate')).toEqual([]);
      // A table larger than a quarter of shared_buffers is written and scanned through small
      // rings of buffers, so a scan finds almost none of it in cache.
      const [setting] = await db.sequelize.query<{ bytes: string }>("SELECT pg_size_bytes(current_setting('shared_buffers')) AS bytes", { type: QueryTypes.SELECT });
      const bytes = Number(setting?.bytes);
      const rows = Math.ceil((Number(bytes) * 0.3) / 60);
      await db.sequelize.query('CREATE TABLE cold AS SELECT g AS n, md5(g::text) AS t FROM generate_series(1, $1::int) g', { bind: [rows] });
      await db.sequelize.query('SELECT count(*) FROM cold');
      const f = await eventually(async () => (await dbi.service.report()).findings.find((x) => x.kind === 'cache-hit-rate'));
      expect(f.subject).toBe('table');
      expect(f.advice).toContain('shared_buffers');
    } finally {
      await db.close();
    }
  });
});

describe('estimates off by 10x', () => {
  it('are flagged with CREATE STATISTICS for correlated columns, and no longer once it is made', async () => {
    const db = await createTestDatabase();
    try {
      await db.sequelize.query('CREATE TABLE pairs (a int, b int)');
      await db.sequelize.query('INSERT INTO pairs SELECT g % 100, g % 100 FROM generate_series(1, 100000) g');
      await db.sequelize.query('ANALYZE pairs');
      const q: NamedQuery = { name: 'pairCount', description: 'rows of one pair', sql: 'SELECT count(*) FROM pairs WHERE a = $1 AND b = $2', params: ['a', 'b'], sample: () => [7, 7] };
      const dbi = new DbIndexes({ database: db, config: configSchema.parse({}), logger: pino({ level: 'silent' }), meter: metrics.getMeter('test'), queries: [q] });
      const [before] = await dbi.service.analyze();
      expect(before?.misestimates[0]?.advice).toContain('CREATE STATISTICS pairs_a_b_dep (dependencies) ON a, b FROM pairs');
      const r: DbReport = await dbi.service.report();
      expect(r.findings.find((f) => f.kind === 'estimate-off')?.subject).toContain('pairCount');
      await db.sequelize.query('CREATE STATISTICS pairs_a_b_dep (dependencies) ON a, b FROM pairs');
      await db.sequelize.query('ANALYZE pairs');
      const [after] = await dbi.service.analyze();
      expect(after?.misestimates).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
