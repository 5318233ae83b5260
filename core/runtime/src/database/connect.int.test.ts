import { pino } from 'pino';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { connectToUrl, type DatabaseHandle } from './connect.js';
import { databaseUnavailableError, unavailableReason } from './unavailable.js';

let db: TestDatabase;
let bounded: DatabaseHandle;
beforeAll(async () => {
  db = await createTestDatabase();
  bounded = await connectToUrl(db.url, { logger: pino({ level: 'silent' }), limits: { statementTimeoutMs: 300, acquireTimeoutMs: 1000, poolMax: 1 } });
});
afterAll(async () => {
  await bounded?.close();
  await db?.close();
});

const show = async (sequelize: DatabaseHandle['sequelize']) => {
  const rows = await sequelize.query<{ statement_timeout: string }>('SHOW statement_timeout', { type: QueryTypes.SELECT });
  return rows[0]!.statement_timeout;
};

test('statements on the pool are bounded by the statement timeout, and the cancel is a "database unavailable" error', async () => {
  expect(await show(bounded.sequelize)).toBe('300ms');
  const failure = await bounded.sequelize.query('SELECT pg_sleep(2)').then(
    () => undefined,
    (err: unknown) => err,
  );
  const down = databaseUnavailableError(failure);
  expect(down).toBeInstanceOf(Error);
  expect(unavailableReason(down!)).toBe('canceling statement due to statement timeout (database.statementTimeout)');
  // The connection is kept: the next statement on the one-connection pool works.
  expect(await show(bounded.sequelize)).toBe('300ms');
});

test('withoutTimeout runs work as long as it needs on a pool of its own', async () => {
  const slept = await bounded.withoutTimeout(async (sequelize) => {
    expect(await show(sequelize)).toBe('0');
    const rows = await sequelize.query<{ said: string }>("SELECT pg_sleep(0.6), 'done' AS said", { type: QueryTypes.SELECT });
    return rows[0]!.said;
  });
  expect(slept).toBe('done');
});

test('a connection whose session the server ended is not handed out again: the next statement gets a new one', async () => {
  const single = await connectToUrl(db.url, { logger: pino({ level: 'silent' }), limits: { poolMax: 1 } });
  try {
    const sleeping = single.sequelize.query("SELECT pg_sleep(30), 'to be ended' AS tag").then(
      () => undefined,
      (err: unknown) => err,
    );
    let pid: number | undefined;
    for (let i = 0; i < 100 && pid === undefined; i++) {
      const rows = await db.sequelize.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'", { type: QueryTypes.SELECT });
      pid = rows[0]?.pid;
      if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(pid).toBeDefined();
    await db.sequelize.query('SELECT pg_terminate_backend(:pid)', { replacements: { pid } });
    expect(String(await sleeping)).toMatch(/terminat/i);
    // At once, on the one-connection pool: the ended session's connection must not be reused.
    const rows = await single.sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', { type: QueryTypes.SELECT });
    expect(rows[0]!.pid).not.toBe(pid);
  } finally {
    await single.close();
  }
});
