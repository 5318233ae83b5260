import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@plugboard/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, postExchange, startBatchingServer, type BatchingServer } from './__fixtures__/server.js';
import { audit } from './testSupport.js';

let db: TestDatabase;
let app: BatchingServer;

beforeAll(async () => {
  db = await createTestDatabase();
  // A long delay, so SIGTERM finds writes waiting in the queue.
  app = await startBatchingServer({ databaseUrl: db.url, batching: { maxDelay: '200ms', shutdownTimeout: '10s' } });
}, 120_000);
afterAll(async () => {
  await app?.remove();
  await db?.close();
});

it('a config reload and then SIGTERM under load: every 2xx record is stored once, the process exits 0', async () => {
  const answers = new Map<string, { status: number; code?: string }>();
  let writing = true;
  const client = async (n: number) => {
    while (writing) {
      const id = randomUUID();
      const answer = await postExchange(app.server.url, { id, user_id: 500 + n, ai_model: 'm', user_message: 'hi', prompt_tokens: 1, completion_tokens: 1 });
      answers.set(id, answer);
      // Once the server has gone, stop.
      if (answer.status === 0) return;
    }
  };
  const clients = Array.from({ length: 8 }, (_, n) => client(n));
  await new Promise((resolve) => setTimeout(resolve, 1500));

  // A reload that changes the plugin's section: a new instance takes over, the old one flushes.
  await app.rewrite({ maxDelay: '100ms', maxBatchSize: 50, shutdownTimeout: '10s' });
  const reload = await fetch(`${app.server.url}/admin/config/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(reload.status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 1500));

  const exit = await app.server.stop('SIGTERM');
  writing = false;
  await Promise.all(clients);

  expect(exit, app.server.output().slice(-3000)).toBe(0);
  const acknowledged = [...answers].filter(([, a]) => a.status === 201).map(([id]) => id);
  expect(acknowledged.length, JSON.stringify([...answers.values()].filter((a) => a.status !== 201))).toBeGreaterThan(16);
  const { ids, counterMismatches } = await audit(db);
  expect(acknowledged.filter((id) => ids.get(id) !== 1)).toEqual([]);
  expect([...ids.values()].filter((n) => n !== 1)).toEqual([]);
  // Anything stored without a 2xx is a request whose answer was lost as the server went (status 0).
  expect([...ids.keys()].filter((id) => answers.get(id) === undefined || ![0, 201].includes(answers.get(id)!.status))).toEqual([]);
  expect(counterMismatches).toEqual([]);
  expect(app.server.output()).not.toMatch(/conversations not written/);
}, 120_000);
