import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationWriterRef, type NewConversation } from '@plugboard/plugin-conversations';
import { DeadLetteredError } from '../errors.js';
import { DeadLetterStore } from '../deadLetters.js';
import { replayDeadLetters } from '../replay.js';
import { audit, exchange, post, startApp, type TestApp } from '../testSupport.js';
import { ConversationBatchSink } from './ConversationBatchSink.js';
import { batchPool } from './pgPool.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ maxBatchSize: 50, maxDelay: '20ms' });
});
afterAll(() => app?.close());

const row = (overrides: Partial<NewConversation> = {}): NewConversation => ({
  id: randomUUID(),
  userId: 5001,
  aiModel: 'gpt-4o',
  userMessage: 'tab\there, newline\nthere, backslash \\ and ünïcödé',
  aiResponse: null,
  promptTokens: 1,
  completionTokens: 2,
  totalTokens: 3,
  status: 'completed',
  processingTimeMs: null,
  createdAt: new Date('2026-01-01T00:00:00.123Z'),
  ...overrides,
});

describe('batched writes through the REST API', () => {
  it('stores every record of concurrent requests once, counts each once, and answers a retry with created: false', async () => {
    const bodies = Array.from({ length: 200 }, (_, i) => exchange({ user_id: 2000 + (i % 7) }));
    const answers = await Promise.all(bodies.map((b) => post(app.kernel, b)));
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 201));
    const retried = await Promise.all(bodies.slice(0, 20).map((b) => post(app.kernel, b)));
    expect(retried.map((a) => [a.status, a.json.data.created])).toEqual(bodies.slice(0, 20).map(() => [200, false]));
    const { ids, counterMismatches } = await audit(app.db);
    for (const b of bodies) expect(ids.get(String(b.id))).toBe(1);
    expect(counterMismatches).toEqual([]);
  });
});

describe.each(['copy', 'unnest'] as const)('ConversationBatchSink (%s)', (method) => {
  it('stores text exactly, answers false for ids already there or repeated in the batch, and counts only the new rows', async () => {
    await post(app.kernel, exchange({ user_id: 5001 }));
    const pool = batchPool(app.db.sequelize, { max: 1, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
    try {
      const sink = new ConversationBatchSink(pool, method);
      const [before] = (await app.db.sequelize.query('SELECT message_count, tokens_used FROM users WHERE id = 5001'))[0] as { message_count: number; tokens_used: string }[];
      const a = row();
      const b = row({ totalTokens: 30, promptTokens: 10, completionTokens: 20 });
      expect(await sink.write([a, b, a])).toEqual([true, true, false]);
      expect(await sink.write([b, row()])).toEqual([false, true]);
      // A retry (attempt 2) of rows an earlier attempt committed stores and counts nothing.
      expect(await sink.write([a, b], 2)).toEqual([false, false]);
      const [after] = (await app.db.sequelize.query('SELECT message_count, tokens_used FROM users WHERE id = 5001'))[0] as { message_count: number; tokens_used: string }[];
      expect(Number(after!.message_count) - Number(before!.message_count)).toBe(3);
      expect(Number(after!.tokens_used) - Number(before!.tokens_used)).toBe(36);
      const [stored] = (await app.db.sequelize.query('SELECT user_message, created_at FROM conversations WHERE id = $1', { bind: [a.id] }))[0] as {
        user_message: string;
        created_at: Date;
      }[];
      expect(stored).toEqual({ user_message: a.userMessage, created_at: a.createdAt });
      // No parameter-count limit: 70,000 rows would need 770,000 parameters as VALUES.
      const many = Array.from({ length: 70_000 }, () => row());
      const results = await sink.write(many);
      expect(results.every((r) => r)).toBe(true);
    } finally {
      await pool.end();
    }
  });
});

describe('dead letters', () => {
  it('splits a refused record out of its batch, keeps it with its error, rejects its caller, and replays it once fixed', async () => {
    await post(app.kernel, exchange({ user_id: 6001 }));
    const writer = app.kernel.get(conversationWriterRef);
    const good = Array.from({ length: 9 }, () => row({ userId: 6001 }));
    const bad = row({ userId: 6001, totalTokens: 99 }); // violates conversations_total_tokens_sum
    const settled = await Promise.allSettled([...good.slice(0, 4), bad, ...good.slice(4)].map((r) => writer.write(r)));
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<boolean>).value)).toEqual(good.map(() => true));
    const failure = (settled[4] as PromiseRejectedResult).reason as DeadLetteredError;
    expect(failure).toBeInstanceOf(DeadLetteredError);
    expect(failure.message).toBe(
      `Record '${bad.id}' was refused by the database (new row for relation "conversations" violates check constraint "conversations_total_tokens_sum") and kept in the dead-letter table: fix the cause, then run 'plugboard batching replay'.`,
    );
    const [letters] = await app.db.sequelize.query("SELECT item_id, error_code, payload->>'totalTokens' AS total FROM batching_dead_letters WHERE item_id = $1", { bind: [bad.id] });
    expect(letters).toEqual([{ item_id: bad.id, error_code: '23514', total: '99' }]);

    const pool = batchPool(app.db.sequelize, { max: 1, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
    try {
      const store = new DeadLetterStore(pool);
      const sink = new ConversationBatchSink(pool);
      expect(await replayDeadLetters(store, sink, { limit: 100 })).toEqual({ stored: 0, alreadyStored: 0, failed: 1 });
      await app.db.sequelize.query(`UPDATE batching_dead_letters SET payload = jsonb_set(payload, '{totalTokens}', '3') WHERE item_id = $1`, { bind: [bad.id] });
      expect(await replayDeadLetters(store, sink, { limit: 100 })).toEqual({ stored: 1, alreadyStored: 0, failed: 0 });
      expect(await replayDeadLetters(store, sink, { limit: 100 })).toEqual({ stored: 0, alreadyStored: 0, failed: 0 });
    } finally {
      await pool.end();
    }
    const { ids, counterMismatches } = await audit(app.db);
    expect(ids.get(bad.id)).toBe(1);
    expect(counterMismatches).toEqual([]);
  });

  it('answers a dead-lettered record over HTTP as 422 dead_lettered', async () => {
    // A rule the request's validation does not know (this test database's own check) refuses the row for good.
    await app.db.sequelize.query("ALTER TABLE conversations ADD CONSTRAINT test_refused CHECK (user_message <> 'refuse me')");
    const body = exchange({ user_id: 7001, user_message: 'refuse me' });
    const answer = await post(app.kernel, body).finally(() => app.db.sequelize.query('ALTER TABLE conversations DROP CONSTRAINT test_refused'));
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe('dead_lettered');
    expect(answer.json.error.message).toContain(`Conversations '${String(body.id)}' were not stored: Record '${String(body.id)}' was refused by the database`);
  });
});
