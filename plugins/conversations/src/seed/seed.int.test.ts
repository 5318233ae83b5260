import { createTestDatabase, type TestDatabase } from '@plugboard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import { seed, type SeedProgress } from './seed.js';

const until = new Date('2025-06-01T00:00:00Z');
let a: TestDatabase;
let b: TestDatabase;

async function migrated(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  for (const m of migrations) await m.up({ sequelize: db.sequelize });
  return db;
}

async function one<T>(db: TestDatabase, sql: string): Promise<T> {
  const [rows] = await db.sequelize.query(sql);
  return (rows as T[])[0]!;
}

/** A digest of every row, to compare two databases. */
const digest = (db: TestDatabase) =>
  one<{ c: string; u: string }>(
    db,
    `SELECT (SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM conversations t) AS c,
            (SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM users t) AS u`,
  );

beforeAll(async () => {
  [a, b] = await Promise.all([migrated(), migrated()]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

describe('seed', () => {
  it('fills both tables, reports progress per chunk, and makes counters agree with conversations', async () => {
    const progress: SeedProgress[] = [];
    const result = await seed({
      sequelize: a.sequelize, users: 2000, conversations: 20_000, seed: 7, until, chunkSize: 3000,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ usersInserted: 2000, conversationsInserted: 20_000 });
    expect(progress.map((p) => p.phase)).toEqual([...Array(1).fill('users'), ...Array(7).fill('conversations'), 'counters']);
    expect(progress.at(-1)).toEqual({ phase: 'counters', done: 22_000, total: 22_000 });

    const mismatched = await one<{ n: number }>(a, `
      SELECT count(*)::int AS n FROM users u
      LEFT JOIN (SELECT user_id, count(*) AS c, sum(total_tokens) AS t, max(created_at) AS l FROM conversations GROUP BY user_id) s
        ON s.user_id = u.id
      WHERE u.message_count <> coalesce(s.c, 0) OR u.tokens_used <> coalesce(s.t, 0) OR u.last_activity_at IS DISTINCT FROM s.l`);
    expect(mismatched.n).toBe(0);
  });

  it('makes skewed, realistic data over a year', async () => {
    const shape = await one<Record<string, number>>(a, `
      SELECT
        (SELECT sum(message_count) FROM (SELECT message_count FROM users ORDER BY message_count DESC LIMIT 20) top)::float8 / 20000 AS top1pct_share,
        (SELECT count(DISTINCT ai_model) FROM conversations)::int AS models,
        (SELECT avg((status = 'completed')::int) FROM conversations)::float8 AS completed,
        (SELECT avg((status = 'failed')::int) FROM conversations)::float8 AS failed,
        (SELECT avg(is_premium::int) FROM users)::float8 AS premium,
        (SELECT avg(is_blocked::int) FROM users)::float8 AS blocked,
        (SELECT extract(epoch FROM max(created_at) - min(created_at)) / 86400 FROM conversations)::float8 AS days,
        (SELECT count(*) FROM conversations WHERE created_at > $$${until.toISOString()}$$::timestamptz)::int AS future`);
    expect(shape.top1pct_share).toBeGreaterThan(0.1); // the top 1% of users hold over 10% of conversations
    expect(shape.models).toBe(7);
    expect(shape.completed).toBeGreaterThan(0.9);
    expect(shape.failed).toBeGreaterThan(0.02);
    expect(shape.premium).toBeGreaterThan(0.03);
    expect(shape.premium).toBeLessThan(0.07);
    expect(shape.blocked).toBeGreaterThan(0.01);
    expect(shape.blocked).toBeLessThan(0.03);
    expect(shape.days).toBeGreaterThan(360);
    expect(shape.future).toBe(0);
  });

  it('adds nothing when run again with the same seed', async () => {
    const before = await digest(a);
    const again = await seed({ sequelize: a.sequelize, users: 2000, conversations: 20_000, seed: 7, until, chunkSize: 3000 });
    expect(again).toMatchObject({ usersInserted: 0, conversationsInserted: 0, usersUpdated: 0 });
    expect(await digest(a)).toEqual(before);
  });

  it('makes the same rows whatever the chunk size and concurrency', async () => {
    await seed({ sequelize: b.sequelize, users: 2000, conversations: 20_000, seed: 7, until, chunkSize: 20_000, concurrency: 1 });
    expect(await digest(b)).toEqual(await digest(a));
  });

  it('adds other conversations for another seed', async () => {
    const other = await seed({ sequelize: b.sequelize, users: 2000, conversations: 1000, seed: 8, until });
    expect(other).toMatchObject({ usersInserted: 0, conversationsInserted: 1000 });
  });

  it('makes no timestamp in the future when no end is given', async () => {
    await seed({ sequelize: b.sequelize, users: 200, conversations: 2000, seed: 11 });
    const row = await one<{ future: string }>(
      b,
      `SELECT (SELECT count(*) FROM conversations WHERE created_at > now())
            + (SELECT count(*) FROM users WHERE last_activity_at > now() OR updated_at > now()) AS future`,
    );
    expect(Number(row.future)).toBe(0);
  });

  it('refuses bad counts and a database without the tables', async () => {
    await expect(seed({ sequelize: a.sequelize, users: 0, conversations: 1 })).rejects.toThrow(
      "Seed option 'users' is 0: use a whole number of at least 1.",
    );
    const empty = await createTestDatabase();
    try {
      await expect(seed({ sequelize: empty.sequelize, users: 1, conversations: 1 })).rejects.toThrow(
        "Tables 'users' and 'conversations' do not exist: run the 'conversations' plugin's migrations first (start Plugboard once with the plugin enabled).",
      );
    } finally {
      await empty.close();
    }
  });
});
