import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SpawnedServer } from '../testing/spawnServer.js';
import { ERROR, INFO, logLines, ownPostgres, startFaultServer, WARN, type OwnPostgres } from './__fixtures__/faultServer.js';

/**
 * PostgreSQL stopped (fast shutdown) under load from 8 clients and started again on the same
 * port and data: no request answers 500, the failures answer 503 database_unavailable with
 * Retry-After, the outage is logged once, the clients' retries store what failed, and every
 * user's counters equal their rows (a row and its counters commit together).
 */
let pgServer: OwnPostgres;
let app: { server: SpawnedServer; remove(): Promise<void> };

beforeAll(async () => {
  pgServer = await ownPostgres();
  app = await startFaultServer(pgServer.url, { statementTimeout: '2s', acquireTimeout: '1s', poolMax: 4 });
}, 120_000);

afterAll(async () => {
  await app?.remove();
  await pgServer?.remove();
});

const USERS = 12;
const CLIENTS = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  code?: string;
  retryAfter: string | null;
}

async function post(id: string, userId: number, tokens: number): Promise<Answer & { created?: boolean }> {
  const res = await fetch(`${app.server.url}/api/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, user_id: userId, ai_model: 'gpt-4o', user_message: 'hi', prompt_tokens: tokens, completion_tokens: 1 }),
  });
  const body = (await res.json()) as { data?: { created: boolean }; error?: { code: string } };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), ...(body.error ? { code: body.error.code } : {}), ...(body.data ? { created: body.data.created } : {}) };
}

async function get(userId: number): Promise<Answer> {
  const res = await fetch(`${app.server.url}/api/users/${userId}/tokens`);
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), ...(body.error ? { code: body.error.code } : {}) };
}

test('a PostgreSQL restart under load answers 503 database_unavailable, logs the outage once, and leaves every counter equal to its rows', async () => {
  const answers: Answer[] = [];
  const failedIds: { id: string; userId: number; tokens: number }[] = [];
  let running = true;
  const client = async (n: number) => {
    for (let i = 0; running; i += 1) {
      const userId = 1 + ((n * 7 + i) % USERS);
      const tokens = 1 + ((n + i) % 9);
      const id = randomUUID();
      const written = await post(id, userId, tokens);
      answers.push(written);
      if (written.status !== 201) failedIds.push({ id, userId, tokens });
      const read = await get(userId);
      answers.push(read);
      // A client that honours Retry-After (shortened: the test has no second to spare per request).
      if (written.status === 503 || read.status === 503) await sleep(100);
    }
  };
  const from = app.server.output().length;
  const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
  await sleep(1500);
  const stoppedAt = performance.now();
  await pgServer.server.stop();
  await sleep(3000);
  await pgServer.restart();
  const startedAt = performance.now();
  // Until the server has answered a write again, then a little more load.
  const before = answers.length;
  while (!answers.slice(before).some((a) => a.status === 201)) await sleep(50);
  const recoveredMs = performance.now() - startedAt;
  await sleep(1000);
  running = false;
  await Promise.all(clients);

  // The clients retry what failed, with the same ids.
  const retried = [];
  for (const f of failedIds) retried.push(await post(f.id, f.userId, f.tokens));

  const byStatus: Record<string, number> = {};
  for (const a of answers) byStatus[`${a.status} ${a.code ?? ''}`.trim()] = (byStatus[`${a.status} ${a.code ?? ''}`.trim()] ?? 0) + 1;
  const retriedCreated = retried.filter((r) => r.created === true).length;
  await (async () => {
    while (!logLines(app.server, from).some((l) => l.msg.startsWith('The database answers again after'))) await sleep(100);
  })();
  const lines = logLines(app.server, from);
  const log = {
    unavailable: lines.filter((l) => l.level === WARN && l.msg.startsWith('The database is unavailable:')).length,
    answersAgain: lines.filter((l) => l.level === INFO && l.msg.startsWith('The database answers again after')).length,
    unhandled: lines.filter((l) => l.msg.startsWith('Unhandled error')).length,
    errors: lines.filter((l) => l.level >= ERROR).length,
    warnOrWorse: lines.filter((l) => l.level >= WARN).length,
  };
  process.stdout.write(
    `outage figures: ${JSON.stringify({ requests: answers.length, byStatus, failedWrites: failedIds.length, retriedCreated, retriedAlreadyStored: retried.length - retriedCreated, downMs: Math.round(startedAt - stoppedAt), recoveredMsAfterStart: Math.round(recoveredMs), log, answersAgain: lines.find((l) => l.msg.startsWith('The database answers again'))?.msg })}\n`,
  );

  expect(answers.some((a) => a.status === 503)).toBe(true);
  for (const a of answers) {
    if (a.status === 200 || a.status === 201) continue;
    expect(a).toEqual({ status: 503, code: 'database_unavailable', retryAfter: '1' });
  }
  expect(retried.every((r) => r.status === 201 || r.status === 200)).toBe(true);
  expect(log).toEqual({ unavailable: 1, answersAgain: 1, unhandled: 0, errors: 0, warnOrWorse: 1 });

  const db = new pg.Client({ connectionString: pgServer.url });
  await db.connect();
  try {
    const drift = await db.query(`
      SELECT u.id, u.message_count, u.tokens_used, count(c.id) AS rows, coalesce(sum(c.total_tokens), 0) AS tokens
      FROM users u LEFT JOIN conversations c ON c.user_id = u.id
      GROUP BY u.id HAVING u.message_count <> count(c.id) OR u.tokens_used <> coalesce(sum(c.total_tokens), 0)`);
    expect(drift.rows).toEqual([]);
    const missing = await db.query('SELECT count(*)::int AS n FROM unnest($1::uuid[]) AS f(id) WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = f.id)', [failedIds.map((f) => f.id)]);
    expect(missing.rows[0]).toEqual({ n: 0 });
  } finally {
    await db.end();
  }
}, 120_000);
