import { randomUUID } from 'node:crypto';
import { createTestDatabase, startTestKernel, TestClock, type TestDatabase, type TestKernel } from '@plugboard/core/testing';
import alerts, { alertsRef } from '@plugboard/plugin-alerts';
import conversations from '@plugboard/plugin-conversations';
import metrics from '@plugboard/plugin-metrics';
import { afterAll, beforeAll, expect, it } from 'vitest';
import quotas from './index.js';

// The real metrics plugin (its SDK and in-process reader) and the real alerts engine, both on the test clock.
let db: TestDatabase;
let app: TestKernel;
const clock = new TestClock();

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestKernel({
    plugins: [conversations, metrics, alerts, quotas],
    database: db,
    clock,
    config: {
      metrics: { system: { enabled: false } },
      alerts: { evaluationInterval: '1m' },
      quotas: { tokensPerUser: 100, checkEvery: '5m' },
    },
  });
});
afterAll(async () => {
  await app?.stop();
  await db?.close();
});

const rule = () => app.get(alertsRef).rules().find((r) => r.name === 'UsersOverQuota');
const alert = () => app.get(alertsRef).alerts().find((a) => a.rule === 'UsersOverQuota');

it('ships UsersOverQuota, which goes pending, then fires after its 10m, driven by the test clock', async () => {
  expect(rule()).toMatchObject({ source: 'quotas', severity: 'warning', for: '10m' });
  const res = await app.fetch('/api/conversations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), user_id: 9, ai_model: 'gpt-4o', user_message: 'hi', prompt_tokens: 150, completion_tokens: 0 }),
  });
  expect(res.status).toBe(201);
  await clock.advance('4m');
  expect(alert()).toBeUndefined(); // the task has not counted the user yet
  await clock.advance('2m'); // the task runs at 5m; the next evaluation sees 1
  expect(alert()).toMatchObject({ state: 'pending', value: 1 });
  await clock.advance('10m');
  expect(alert()).toMatchObject({ state: 'firing', value: 1, annotations: { summary: '1 recently active users have no tokens left' } });
});
