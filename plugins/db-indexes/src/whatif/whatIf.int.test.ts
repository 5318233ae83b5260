import { createTestDatabase, startTestKernel, type TestDatabase } from '@plugboard/core/testing';
import conversations, { queries, seed } from '@plugboard/plugin-conversations';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatIf, WhatIfRefusal, type WhatIfOptions } from './whatIf.js';

let db: TestDatabase;
const named = Object.values(queries);
const options: WhatIfOptions = { lockTimeoutMs: 2_000, statementTimeoutMs: 30_000, maxTableBytes: 1_073_741_824, allowBuild: true };

/** Every index, constraint and table of the schema, to compare before and after. */
async function schema(): Promise<string[]> {
  const found = await db.sequelize.query<{ d: string }>(
    `SELECT c.relkind::text || ':' || c.relname || ':' || coalesce(pg_get_indexdef(c.oid), '') AS d FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
  return found.map((r) => r.d);
}

async function refusal(statement: string, o: Partial<WhatIfOptions> = {}): Promise<WhatIfRefusal> {
  try {
    await whatIf(db.sequelize, statement, named, { ...options, ...o });
  } catch (err) {
    if (err instanceof WhatIfRefusal) return err;
    throw err;
  }
  throw new Error('not refused');
}

beforeAll(async () => {
  db = await createTestDatabase();
  const app = await startTestKernel({ plugins: [conversations], database: db });
  await app.stop();
  await seed({ sequelize: db.sequelize, users: 1_000, conversations: 40_000, seed: 6 });
  await db.sequelize.query('VACUUM ANALYZE conversations');
});
afterAll(() => db.close());

describe('what-if without hypopg', () => {
  it('builds the candidate in a rolled-back transaction, shows the plans it changes, and leaves the schema unchanged', async () => {
    const before = await schema();
    const r = await whatIf(db.sequelize, 'CREATE INDEX ON conversations (user_id, created_at DESC)', named, options);
    expect(r.method).toBe('build-and-rollback');
    expect(r.notice).toMatch(/SHARE lock on conversations, which blocked writes/);
    const q = r.queries.find((x) => x.name === 'userConversations')!;
    expect(q.before.indexes).toEqual([]);
    expect(q.usesCandidate).toBe(true);
    expect(q.costRatio).toBeGreaterThan(10);
    expect(r.queries.map((x) => x.name)).not.toContain('blockedUsers');
    expect(await schema()).toEqual(before);
  });

  it('is refused unless asked to build, and on a table above the size guard', async () => {
    expect((await refusal('CREATE INDEX ON conversations (user_id)', { allowBuild: false })).message).toMatch(/hypopg is not installed/);
    const big = await refusal('CREATE INDEX ON conversations (user_id)', { maxTableBytes: 1_000 });
    expect(big.reason).toBe('refused');
    expect(big.message).toMatch(/more than whatIf.maxTableBytes/);
  });

  it('gives up within lock_timeout when a writer holds the table', async () => {
    const writer = await db.sequelize.transaction();
    try {
      await db.sequelize.query('UPDATE conversations SET ai_response = ai_response WHERE id = (SELECT id FROM conversations LIMIT 1)', { transaction: writer });
      const r = await refusal('CREATE INDEX ON conversations (status)', { lockTimeoutMs: 200 });
      expect(r.message).toMatch(/Could not lock conversations within whatIf.lockTimeout/);
    } finally {
      await writer.rollback();
    }
  });

  it('refuses unknown tables and columns, naming them', async () => {
    expect((await refusal('CREATE INDEX ON nothing (a)')).message).toMatch(/Table 'nothing' does not exist/);
    const r = await refusal("CREATE INDEX ON users (id) INCLUDE (nope) WHERE colour = 'red'");
    expect(r.reason).toBe('input');
    expect(r.message).toMatch(/no column 'nope', 'colour'/);
  });
});
