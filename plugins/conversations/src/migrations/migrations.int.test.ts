import { createTestDatabase, type TestDatabase } from '@plugboard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from './index.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  for (const m of migrations) await m.up({ sequelize: db.sequelize });
  await db.sequelize.query(`INSERT INTO users (id) VALUES (1)`);
});
afterAll(() => db?.close());

const conversation = (overrides: Record<string, string> = {}): string => {
  const v = { id: `'00000000-0000-4000-8000-000000000001'`, user_id: '1', prompt_tokens: '1', completion_tokens: '2', total_tokens: '3', status: `'completed'`, processing_time_ms: '5', ...overrides };
  return `INSERT INTO conversations (id, user_id, ai_model, user_message, prompt_tokens, completion_tokens, total_tokens, status, processing_time_ms)
    VALUES (${v.id}, ${v.user_id}, 'm', 'q', ${v.prompt_tokens}, ${v.completion_tokens}, ${v.total_tokens}, ${v.status}, ${v.processing_time_ms})`;
};

describe('schema constraints', () => {
  it.each([
    ['an unknown status', { status: `'done'` }, 'conversations_status_known'],
    ['negative prompt tokens', { prompt_tokens: '-1', total_tokens: '1' }, 'conversations_prompt_tokens_non_negative'],
    ['a total that is not the sum', { total_tokens: '4' }, 'conversations_total_tokens_sum'],
    ['a negative processing time', { processing_time_ms: '-1' }, 'conversations_processing_time_non_negative'],
    ['an unknown user', { user_id: '2' }, 'conversations_user_id_fkey'],
  ])('rejects %s', async (_what, overrides, constraint) => {
    await expect(db.sequelize.query(conversation(overrides))).rejects.toMatchObject({ original: { constraint } });
  });

  it('rejects negative user counters', async () => {
    await expect(db.sequelize.query('UPDATE users SET tokens_used = -1 WHERE id = 1')).rejects.toMatchObject({
      original: { constraint: 'users_tokens_used_non_negative' },
    });
  });

  it('creates no index beyond the primary keys (the query indexes belong to db-indexes)', async () => {
    const [rows] = await db.sequelize.query(`SELECT indexname FROM pg_indexes WHERE tablename IN ('users', 'conversations') ORDER BY 1`);
    expect(rows).toEqual([{ indexname: 'conversations_pkey' }, { indexname: 'users_pkey' }]);
  });

  it('goes down cleanly', async () => {
    for (const m of [...migrations].reverse()) await m.down?.({ sequelize: db.sequelize });
    const [rows] = await db.sequelize.query(`SELECT to_regclass('users') AS u, to_regclass('conversations') AS c`);
    expect(rows).toEqual([{ u: null, c: null }]);
  });
});
