import { randomUUID } from 'node:crypto';
import conversations from '@plugboard/plugin-conversations';
import { createTestDatabase, startTestKernel, TestClock, type TestDatabase, type TestKernel } from '@plugboard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import quotas, { quotasRef } from './index.js';

let db: TestDatabase;
let app: TestKernel;
const clock = new TestClock();

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestKernel({
    plugins: [conversations, quotas],
    database: db,
    clock,
    metrics: true,
    config: { quotas: { tokensPerUser: 100, checkEvery: '5m' } },
  });
});
afterAll(async () => {
  await app?.stop();
  await db?.close();
});

async function record(userId: number, id: string, tokens: number): Promise<number> {
  const res = await app.fetch('/api/conversations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, user_id: userId, ai_model: 'gpt-4o', user_message: 'hi', prompt_tokens: tokens, completion_tokens: 0 }),
  });
  return res.status;
}

describe('quotas', () => {
  it('answers what is left on its route and through its service', async () => {
    expect(await record(1, randomUUID(), 30)).toBe(201);
    const res = await app.fetch('/api/quotas/1');
    expect(await res.json()).toEqual({ userId: 1, remaining: 70 });
    expect(await app.get(quotasRef).remaining(1)).toBe(70);
    expect(await app.get(quotasRef).remaining(999)).toBe(100);
    // time('quotas.lookup.duration', ...) recorded each lookup in a seconds histogram.
    expect(await app.metricValue('quotas.lookup.duration')).toMatchObject({ count: 3 });
  });

  it('refuses a user id that is not a positive integer, naming the parameter', async () => {
    const res = await app.fetch('/api/quotas/abc');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toContain('params.id');
  });

  it('decorates the writer: counts the tokens of each stored conversation once, a retry not again', async () => {
    const before = ((await app.metricValue('quotas.tokens', { 'ai.model': 'gpt-4o' })) as number | undefined) ?? 0;
    const id = randomUUID();
    expect(await record(2, id, 40)).toBe(201);
    expect(await record(2, id, 40)).toBe(200); // a retry: stored nothing, counted nothing
    expect(await app.metricValue('quotas.tokens', { 'ai.model': 'gpt-4o' })).toBe(before + 40);
    const writer = app.kernel.services().find((s) => s.id === 'conversations.writer');
    expect(writer?.providers.map((p) => p.owner)).toEqual(['quotas', 'conversations']);
  });

  it('counts users over their quota every checkEvery, on the test clock', async () => {
    expect(await record(3, randomUUID(), 150)).toBe(201);
    expect(await app.metricValue('quotas.users_over')).toBe(0); // the task has not run yet
    await clock.advance('5m');
    expect(await app.metricValue('quotas.users_over')).toBe(1);
    expect(app.kernel.scheduler.list().find((t) => t.id === 'quotas.count-over-quota')).toMatchObject({ runs: 1, lastOutcome: 'ok' });
  });
});
