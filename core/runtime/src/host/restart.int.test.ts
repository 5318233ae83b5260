import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { spawnServer, type SpawnedServer } from '../testing/spawnServer.js';

/**
 * Editing a running plugin's section loses no request: `plugboard start` as a real process on a
 * real PostgreSQL, a hundred edits of plugins.conversations.cache.max each applied by a reload
 * while clients read and write through HTTP without pause.
 */
const conversationsDir = fileURLToPath(new URL('../../../../plugins/conversations', import.meta.url));
const TOKEN = 'restart-test-token';
const EDITS = 100;
const CLIENTS = 6;
const USERS = 20;

let db: TestDatabase;
let dir: string;
let file: string;
let server: SpawnedServer;

function configText(db: TestDatabase, cacheMax: number): string {
  return [
    'server:',
    `  adminToken: ${TOKEN}`,
    'database:',
    `  url: "${db.url}"`,
    'logging:',
    '  level: warn',
    'plugins:',
    '  conversations:',
    `    from: ${JSON.stringify(conversationsDir)}`,
    '    cache:',
    `      max: ${cacheMax}`,
    '',
  ].join('\n');
}

function exchange(userId: number): string {
  return JSON.stringify({
    id: randomUUID(),
    user_id: userId,
    username: `user${userId}`,
    ai_model: 'gpt-4o',
    user_message: 'hello',
    ai_response: 'hi',
    prompt_tokens: 10,
    completion_tokens: 20,
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'plugboard-restart-'));
  await mkdir(path.join(dir, 'config'));
  file = path.join(dir, 'config', 'plugboard.yaml');
  await writeFile(file, configText(db, 1000));
  server = await spawnServer({ args: ['--config', file, '--port', '0'] });
}, 120_000);

afterAll(async () => {
  if (server !== undefined && server.child.exitCode === null) await server.stop('SIGKILL');
  await rm(dir, { recursive: true, force: true });
  await db?.close();
});

test(`${EDITS} edits of plugins.conversations.cache.max under concurrent reads and writes fail no request`, async () => {
  const post = (userId: number) =>
    fetch(`${server.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exchange(userId) });
  for (let id = 1; id <= USERS; id += 1) expect((await post(id)).status).toBe(201);

  const statuses = new Map<string, number>();
  const failures: string[] = [];
  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
  let editing = true;
  const client = async (n: number) => {
    for (let i = 0; editing; i += 1) {
      const userId = ((n * 7 + i) % USERS) + 1;
      const write = i % 2 === 0;
      const res = write ? await post(userId) : await fetch(`${server.url}/api/users/${userId}`);
      const body = await res.text();
      count(`${write ? 'POST' : 'GET'} ${res.status}`);
      if (res.status !== (write ? 201 : 200) && failures.length < 5) failures.push(`${res.status} ${body}`);
    }
  };

  const began = performance.now();
  const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
  let applied = 0;
  const reloadFailures: string[] = [];
  try {
    for (let edit = 1; edit <= EDITS; edit += 1) {
      await writeFile(file, configText(db, 1000 + edit));
      const res = await fetch(`${server.url}/admin/config/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      const report = (await res.json()) as { restarted?: string[] };
      if (res.status === 200 && report.restarted?.join() === 'conversations') applied += 1;
      else reloadFailures.push(`${res.status} ${JSON.stringify(report)}`);
    }
  } finally {
    editing = false;
    await Promise.all(clients);
  }
  const seconds = (performance.now() - began) / 1000;
  const requests = [...statuses.values()].reduce((a, b) => a + b, 0);
  // The figures of the run, for the record (not asserted: timing varies with the machine).
  const figures = { test: 'restart-under-load', edits: EDITS, applied, requests, byStatus: Object.fromEntries(statuses), seconds: Number(seconds.toFixed(2)) };
  process.stdout.write(`${JSON.stringify(figures)}\n`);

  expect(reloadFailures).toEqual([]);
  expect(applied).toBe(EDITS);
  expect(failures).toEqual([]);
  expect([...statuses.keys()].sort()).toEqual(['GET 200', 'POST 201']);
  const cache = await fetch(`${server.url}/api/cache/users`);
  expect(cache.status).toBe(200);
}, 300_000);
