import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SpawnedServer } from '../testing/spawnServer.js';
import { INFO, logLines, ownPostgres, signalPostgres, startFaultServer, WARN, type OwnPostgres } from './__fixtures__/faultServer.js';

/**
 * A database that holds requests instead of failing them: every wait is bounded by
 * database.statementTimeout (plus the client's 1 s grace) and database.acquireTimeout, so the
 * requests answer 503 database_unavailable instead of hanging, and the outage is logged once.
 */
let pgServer: OwnPostgres;
let app: { server: SpawnedServer; remove(): Promise<void> };

beforeAll(async () => {
  pgServer = await ownPostgres();
  app = await startFaultServer(pgServer.url, { statementTimeout: '1s', acquireTimeout: '1s', poolMax: 2 });
}, 120_000);

afterAll(async () => {
  await app?.remove();
  await pgServer?.remove();
});

const EXPECTED_BODY = (reason: RegExp) => ({
  error: {
    code: 'database_unavailable',
    message: expect.stringMatching(new RegExp(`^The database is unavailable \\((?:${reason.source})\\): the request may not have taken effect\\. Retry it after 1 s\\.$`)),
    requestId: expect.any(String),
  },
});

/** When the latest answer came (performance.now()), for the figures. */
let lastAnswerAt = 0;

async function answer(res: Promise<Response>): Promise<{ status: number; retryAfter: string | null; body: any }> {
  const r = await res;
  lastAnswerAt = performance.now();
  return { status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() };
}

const post = (userId: number) =>
  fetch(`${app.server.url}/api/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), user_id: userId, ai_model: 'gpt-4o', user_message: 'hi', prompt_tokens: 1, completion_tokens: 2 }),
  });
const daily = () => fetch(`${app.server.url}/api/analytics/daily`);

async function untilAnswered(request: () => Promise<Response>, status: number): Promise<number> {
  for (let tries = 1; ; tries += 1) {
    const res = await request();
    await res.arrayBuffer();
    if (res.status === status) return tries;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The outage lines logged since `from`: warns, infos, and the "Unhandled error" ones. */
function outageLog(from: number) {
  const lines = logLines(app.server, from);
  return {
    unavailable: lines.filter((l) => l.level === WARN && l.msg.startsWith('The database is unavailable:')).length,
    answersAgain: lines.filter((l) => l.level === INFO && l.msg.startsWith('The database answers again after')).length,
    unhandled: lines.filter((l) => l.msg.startsWith('Unhandled error')).length,
    warnOrWorse: lines.filter((l) => l.level >= WARN).length,
  };
}

test('with more requests than connections and a lock that holds them, every request answers 503 database_unavailable, then 201 once it is released', async () => {
  expect((await answer(post(1))).status).toBe(201);
  const from = app.server.output().length;
  const locker = new pg.Client({ connectionString: pgServer.url });
  await locker.connect();
  let answers;
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE conversations IN ACCESS EXCLUSIVE MODE');
    // 6 requests on a pool of 2: two wait on the lock until the statement timeout, four for a connection.
    answers = await Promise.all(Array.from({ length: 6 }, (_, i) => answer(post(100 + i))));
  } finally {
    await locker.query('ROLLBACK').finally(() => locker.end());
  }
  for (const a of answers) {
    expect(a).toEqual({
      status: 503,
      retryAfter: '1',
      body: EXPECTED_BODY(/canceling statement due to statement timeout \(database\.statementTimeout\)|no pooled connection came free within database\.acquireTimeout/),
    });
  }
  const reasons = new Set(answers.map((a) => /\((.*)\)/.exec(a.body.error.message)![1]));
  process.stdout.write(`pool exhaustion reasons: ${JSON.stringify([...reasons])}\n`);
  expect(reasons).toContain('canceling statement due to statement timeout (database.statementTimeout)');
  expect((await answer(post(200))).status).toBe(201);
  await untilLogged(from, 'answersAgain');
  expect(outageLog(from)).toEqual({ unavailable: 1, answersAgain: 1, unhandled: 0, warnOrWorse: 1 });
}, 60_000);

async function untilLogged(from: number, what: 'answersAgain'): Promise<void> {
  while (outageLog(from)[what] === 0) await new Promise((resolve) => setTimeout(resolve, 100));
}

test('a frozen PostgreSQL (SIGSTOP) answers 503 database_unavailable in bounded time, logged once, and requests succeed again after SIGCONT', async () => {
  expect((await answer(daily())).status).toBe(200);
  const from = app.server.output().length;
  const began = performance.now();
  const statuses: Record<string, number> = {};
  const reasons = new Set<string>();
  let firstUnavailableMs: number | undefined;
  await signalPostgres(pgServer.server.pid, 'SIGSTOP');
  try {
    for (let round = 0; round < 3; round += 1) {
      const answers = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const a = await answer(i % 2 === 0 ? daily() : post(300 + i));
          firstUnavailableMs ??= lastAnswerAt - began;
          return a;
        }),
      );
      for (const a of answers) {
        statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        reasons.add(/\((.*)\)/.exec(a.body.error?.message ?? '')?.[1] ?? '');
        firstUnavailableMs ??= performance.now() - began;
        expect(a).toEqual({
          status: 503,
          retryAfter: '1',
          body: EXPECTED_BODY(/no answer within database\.statementTimeout and its 1 s grace|no pooled connection came free within database\.acquireTimeout|opening a connection took longer than database\.acquireTimeout/),
        });
      }
    }
  } finally {
    await signalPostgres(pgServer.server.pid, 'SIGCONT');
  }
  const frozenMs = performance.now() - began;
  const tries = await untilAnswered(daily, 200);
  const recoveredMs = performance.now() - began;
  expect((await answer(post(400))).status).toBe(201);
  await untilLogged(from, 'answersAgain');
  const log = outageLog(from);
  process.stdout.write(`freeze figures: ${JSON.stringify({ firstUnavailableMs: Math.round(firstUnavailableMs!), frozenMs: Math.round(frozenMs), recoveredMs: Math.round(recoveredMs), triesAfterSigcont: tries, statuses, reasons: [...reasons], log })}\n`);
  expect(log).toEqual({ unavailable: 1, answersAgain: 1, unhandled: 0, warnOrWorse: 1 });
}, 90_000);
