import { afterAll, beforeAll, expect, it } from 'vitest';
import { conversationWriterRef, type ConversationWriter } from '../refs.js';
import { exchange, getJson, postJson, startApp, type TestApp } from '../testSupport.js';
import type { NewConversation } from '../types.js';
import { DirectConversationWriter } from './DirectConversationWriter.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.close());

/** The user's counters next to what its stored conversations add up to. */
async function countersAndRows(userId: number) {
  const [rows] = await app.db.sequelize.query(
    `SELECT u.message_count::int AS messages, u.tokens_used::int AS tokens, u.last_activity_at AS last,
       (SELECT count(*)::int FROM conversations c WHERE c.user_id = u.id) AS stored_messages,
       (SELECT coalesce(sum(total_tokens), 0)::int FROM conversations c WHERE c.user_id = u.id) AS stored_tokens,
       (SELECT max(created_at) FROM conversations c WHERE c.user_id = u.id) AS stored_last
     FROM users u WHERE u.id = $1`,
    { bind: [userId] },
  );
  return (rows as Record<string, unknown>[])[0]!;
}

/**
 * Makes every counter update of `userId` fail, and every delete of its conversations too, inside
 * PostgreSQL: a compensating delete after a separate counter update cannot help, only a write
 * that commits row and counters together leaves them in agreement.
 */
async function failCountersOf(userId: number): Promise<() => Promise<void>> {
  await app.db.sequelize.query(`
    CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'test: % on % refused', TG_OP, TG_TABLE_NAME; END $$;
    CREATE TRIGGER test_refuse_counters BEFORE UPDATE ON users FOR EACH ROW WHEN (OLD.id = ${userId}) EXECUTE FUNCTION test_refuse();
    CREATE TRIGGER test_refuse_deletes BEFORE DELETE ON conversations FOR EACH ROW WHEN (OLD.user_id = ${userId}) EXECUTE FUNCTION test_refuse();`);
  return async () => {
    await app.db.sequelize.query(`
      DROP TRIGGER test_refuse_counters ON users;
      DROP TRIGGER test_refuse_deletes ON conversations;
      DROP FUNCTION test_refuse();`);
  };
}

it('stores no conversation whose counter update failed, even when nothing could delete it, so the retry stores and counts it', async () => {
  const body = [
    exchange({ user_id: 7101, created_at: '2025-01-02T03:04:05Z' }),
    exchange({ user_id: 7101, created_at: '2025-01-02T03:04:06Z', prompt_tokens: 1 }),
  ];
  // The user exists first, so only the counter update of the write fails.
  expect((await postJson(app.kernel, '/api/conversations', exchange({ user_id: 7101, prompt_tokens: 0, completion_tokens: 0, created_at: '2025-01-01T00:00:00Z' }))).status).toBe(201);
  const restore = await failCountersOf(7101);
  let failed;
  try {
    failed = await postJson(app.kernel, '/api/conversations', body);
  } finally {
    await restore();
  }
  // A database error that is not an outage is a bug to look at: a 500 naming the request.
  expect(failed).toEqual({
    status: 500,
    json: { error: { code: 'internal_error', message: `Internal server error (request id ${failed.json.error.requestId}).`, requestId: expect.any(String) } },
  });
  expect(await countersAndRows(7101)).toMatchObject({ messages: 1, tokens: 0, stored_messages: 1, stored_tokens: 0 });

  const retry = await postJson(app.kernel, '/api/conversations', body);
  expect(retry).toMatchObject({ status: 201, json: { data: [{ created: true }, { created: true }] } });
  const state = await countersAndRows(7101);
  expect(state).toMatchObject({ messages: 3, tokens: 51, stored_messages: 3, stored_tokens: 51 });
  expect(state.last).toEqual(new Date('2025-01-02T03:04:06Z'));
  expect(state.stored_last).toEqual(state.last);
  expect((await getJson(app.kernel, '/api/users/7101')).json.data).toMatchObject({ message_count: 3, tokens_used: 51 });
});

it('moves no counter for a retried id, whatever the writes around it do', async () => {
  const first = exchange({ user_id: 7103 });
  expect((await postJson(app.kernel, '/api/conversations', first)).status).toBe(201);
  const again = await postJson(app.kernel, '/api/conversations', [first, first]);
  expect(again).toMatchObject({ status: 200, json: { data: [{ created: false }, { created: false }] } });
  expect(await countersAndRows(7103)).toMatchObject({ messages: 1, tokens: 30, stored_messages: 1, stored_tokens: 30 });
});

it('counts the conversations that were stored when another write of the request fails, and the retry stores the rest once', async () => {
  const direct = new DirectConversationWriter(app.db.sequelize);
  const body = [exchange({ user_id: 7102 }), exchange({ user_id: 7102, prompt_tokens: 100 })];
  const flaky: ConversationWriter = {
    write: async (c: NewConversation) => {
      if (c.id === body[1]!.id) throw new Error('connection reset');
      return direct.write(c);
    },
  };
  const registration = app.kernel.provide(conversationWriterRef, flaky, { ranking: 10 });
  const failed = await postJson(app.kernel, '/api/conversations', body);
  await registration.unregister();
  expect(failed.status).toBe(503);
  expect(failed.json.error.message).toBe(
    `Conversations '${body[1]!.id}' were not stored: retry the request with the same ids (conversations already stored are neither stored nor counted twice).`,
  );
  expect(await countersAndRows(7102)).toMatchObject({ messages: 1, tokens: 30, stored_messages: 1, stored_tokens: 30 });

  const retry = await postJson(app.kernel, '/api/conversations', body);
  expect(retry).toMatchObject({ status: 201, json: { data: [{ created: false }, { created: true }] } });
  expect(await countersAndRows(7102)).toMatchObject({ messages: 2, tokens: 150, stored_messages: 2, stored_tokens: 150 });
});
