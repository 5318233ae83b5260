/**
 * End to end with the real batching plugin: conversations posted while PostgreSQL holds the
 * conversations table locked pile up in the batch queue past the built-in threshold (1000 rows);
 * HighBatchQueue goes pending and fires; once the lock goes the queue drains and it resolves.
 */
import { randomUUID } from 'node:crypto';
import batching from '@plugboard/plugin-batching';
import { afterEach, describe, expect, it } from 'vitest';
import { startAlertsApp, type AlertsApp } from './__fixtures__/alertsApp.js';

const MIN = 60_000;
let app: AlertsApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function exchanges(n: number, user: number): Record<string, unknown>[] {
  return Array.from({ length: n }, () => ({
    id: randomUUID(),
    user_id: user,
    username: `user${user}`,
    ai_model: 'gpt-4o',
    user_message: 'Hello?',
    ai_response: 'Hi!',
    prompt_tokens: 10,
    completion_tokens: 20,
    processing_time_ms: 800,
  }));
}

describe('HighBatchQueue end to end', () => {
  it('fires while real writes pile up behind a lock and resolves when they drain', async () => {
    app = await startAlertsApp({}, { extraPlugins: [batching], extraConfig: { batching: { maxBatchSize: 50 } } });
    const a = app;
    const lock = await a.db.sequelize.transaction();
    await a.db.sequelize.query('LOCK TABLE conversations IN EXCLUSIVE MODE', { transaction: lock });
    // 1,500 rows in 15 requests of 100: each request waits for its rows to be stored.
    const posts = Array.from({ length: 15 }, (_, i) =>
      a.kernel.fetch('/api/conversations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(exchanges(100, 1000 + i)) }),
    );
    const depth = async () => {
      await a.step(0);
      return a.alerts.rules().find((r) => r.name === 'HighBatchQueue')!;
    };
    // Wait (on real time) until every row is queued: the rule's value is the live queue depth.
    for (let i = 0; i < 200 && (await depth()).active === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const pending = a.alerts.alerts().find((x) => x.rule === 'HighBatchQueue')!;
    expect(pending.state).toBe('pending');
    expect(pending.value).toBeGreaterThan(1000);
    await a.step(MIN);
    expect(a.alerts.alerts().find((x) => x.rule === 'HighBatchQueue')!.state).toBe('firing');

    await lock.commit();
    const answers = await Promise.all(posts);
    expect(answers.map((r) => r.status)).toEqual(Array(15).fill(201));
    await a.step(15_000);
    expect(a.alerts.alerts().find((x) => x.rule === 'HighBatchQueue')).toMatchObject({ state: 'resolved', value: 0 });
    const [[{ n }]] = (await a.db.sequelize.query('SELECT count(*)::int AS n FROM conversations')) as [[{ n: number }], unknown];
    expect(n).toBe(1500);
  }, 60_000);
});
