import { afterAll, beforeAll, expect, it } from 'vitest';
import { conversationWriterRef, userUpdaterRef, type ConversationWriter, type UserUpdater } from '../refs.js';
import { exchange, getJson, postJson, startApp, type TestApp } from '../testSupport.js';
import type { NewConversation, UserChange } from '../types.js';
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

it('undoes the conversations of a user whose counters failed to update, so the retry stores and counts them', async () => {
  const failing: UserUpdater = {
    apply: async (change: UserChange) => {
      throw new Error(`counter store down for '${change.userId}'`);
    },
  };
  const registration = app.kernel.provide(userUpdaterRef, failing, { ranking: 10 });
  const body = [
    exchange({ user_id: 7101, created_at: '2025-01-02T03:04:05Z' }),
    exchange({ user_id: 7101, created_at: '2025-01-02T03:04:06Z', prompt_tokens: 1 }),
  ];
  const failed = await postJson(app.kernel, '/api/conversations', body);
  await registration.unregister();
  expect(failed).toEqual({
    status: 503,
    json: {
      error: expect.objectContaining({
        code: 'not_stored',
        message: `Conversations '${body[0]!.id}', '${body[1]!.id}' were not stored: retry the request with the same ids (conversations already stored are neither stored nor counted twice).`,
      }),
    },
  });

  const retry = await postJson(app.kernel, '/api/conversations', body);
  expect(retry).toMatchObject({ status: 201, json: { data: [{ created: true }, { created: true }] } });
  const state = await countersAndRows(7101);
  expect(state).toMatchObject({ messages: 2, tokens: 51, stored_messages: 2, stored_tokens: 51 });
  expect(state.last).toEqual(new Date('2025-01-02T03:04:06Z'));
  expect(state.stored_last).toEqual(state.last);
  expect((await getJson(app.kernel, '/api/users/7101')).json.data).toMatchObject({ message_count: 2, tokens_used: 51 });
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
