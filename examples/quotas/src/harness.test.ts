import { createTestDatabase, plugboardErrorOf, startTestKernel, TestClock, type TestDatabase, type TestKernel } from '@plugboard/core/testing';
import conversations from '@plugboard/plugin-conversations';
import { afterAll, beforeAll, expect, it } from 'vitest';
import quotas, { quotasRef } from 'plugboard-example-quotas';

let db: TestDatabase;
let app: TestKernel;
const clock = new TestClock('2030-01-01T00:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestKernel({ plugins: [conversations, quotas], database: db, clock, metrics: true, config: { quotas: { tokensPerUser: 100 } } });
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

it('answers, records, runs its task on the clock, and refuses what it should', async () => {
  const res = await app.fetch('/api/quotas/1');
  expect(await res.json()).toEqual({ userId: 1, remaining: 100 });
  expect(await app.get(quotasRef).remaining(1)).toBe(100);
  expect(await app.metricValue('quotas.lookup.duration')).toMatchObject({ count: 2 });
  await clock.advance('5m');
  expect(app.kernel.tasks().find((t) => t.id === 'quotas.count-over-quota')?.runs).toBe(1);
  const err = await plugboardErrorOf(app.kernel.enable('ghost'));
  expect(err.kind).toBe('invalidArgument');
});
