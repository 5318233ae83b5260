import { afterAll, beforeAll, expect, it } from 'vitest';
import { audit, exchange, post, startApp, type TestApp } from './testSupport.js';

const ROUNDS = Number(process.env["SWAP_ROUNDS"] ?? 100);
let app: TestApp;
beforeAll(async () => {
  // A delay long enough that most swaps find writes waiting in the queue.
  app = await startApp({ maxBatchSize: 100, maxDelay: '5ms' });
}, 600_000);
afterAll(() => app?.close());

it('enables and disables batching 100 times under concurrent writes: no write lost, duplicated or failed', async () => {
  const sent: string[] = [];
  const failures: unknown[] = [];
  let writing = true;
  const client = async (n: number) => {
    for (let i = 0; writing; i++) {
      const body = exchange({ user_id: 3000 + ((n * 31 + i) % 50) });
      sent.push(String(body.id));
      const answer = await post(app.kernel, body);
      if (answer.status !== 201) failures.push({ status: answer.status, body: answer.json });
    }
  };
  const clients = Array.from({ length: 16 }, (_, n) => client(n));
  const best = () => app.kernel.kernel.registry.list().find((s) => s.id === 'conversations.writer')?.providers[0]?.owner;
  const owners: (string | undefined)[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await app.kernel.kernel.disable('batching');
    owners.push(best());
    await new Promise((resolve) => setTimeout(resolve, 2));
    await app.kernel.kernel.enable('batching');
    owners.push(best());
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  writing = false;
  await Promise.all(clients);

  expect(failures).toEqual([]);
  expect(owners).toEqual(Array.from({ length: ROUNDS }, () => ['conversations', 'batching']).flat());
  expect(sent.length).toBeGreaterThan(ROUNDS * 2);
  const { ids, counterMismatches } = await audit(app.db);
  const missing = sent.filter((id) => ids.get(id) !== 1);
  expect(missing).toEqual([]);
  expect(ids.size).toBe(sent.length);
  expect(counterMismatches).toEqual([]);
}, 600_000);
