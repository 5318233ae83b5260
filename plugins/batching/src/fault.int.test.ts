import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ownPostgres, type OwnPostgres } from './__fixtures__/ownPostgres.js';
import { postExchange, startBatchingServer, type BatchingServer } from './__fixtures__/server.js';

const QUEUE_LIMIT = 400;
let own: OwnPostgres;
let app: BatchingServer;

beforeAll(async () => {
  own = await ownPostgres();
  app = await startBatchingServer({
    databaseUrl: own.url,
    batching: {
      maxBatchSize: 100,
      // Long enough that at any moment most requests wait in the queue, so the outage hits accepted writes.
      maxDelay: '50ms',
      maxQueueSize: QUEUE_LIMIT,
      whenFull: 'reject',
      connectTimeout: '1s',
      // Retries outlast the outage below (about 28 s of backoff), so every accepted write is stored.
      retry: { maxAttempts: 40, initialDelay: '50ms', maxDelay: '1s' },
    },
  });
}, 120_000);
afterAll(async () => {
  await app?.remove();
  await own?.remove();
});

/**
 * Makes sure the outage meets a write in flight. A lock on `conversations` (which lookups of users
 * do not take) holds the next batch's write at the table; a lock on it that is waiting (reads
 * would be granted) is a batch's write, and the outage begins by ending that write's session,
 * as a shutdown does, while the lock still holds it. Without this the outage could fall in the few
 * milliseconds when every client is looking its user up and no batch is queued: those lookups
 * fail, and no accepted write meets the outage. Leaving the write to the shutdown was not enough
 * either: in about 1 run in 10 the shutdown ended the lock's session first, and the write,
 * released, committed before its own session ended.
 */
async function endNextBatchWrite(): Promise<void> {
  const holder = new pg.Client({ connectionString: own.url });
  holder.on('error', () => undefined); // the outage ends this session
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE conversations IN SHARE MODE');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ended = await holder.query<{ n: number }>(
      "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_locks WHERE relation = 'conversations'::regclass AND NOT granted",
    );
    if (ended.rows[0]!.n > 0) return;
    if (Date.now() > deadline) throw new Error('No batch write reached the locked conversations table within 10 s: are the clients writing?');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('loses nothing when the database goes away under 8 writing clients: the table holds exactly the 2xx records, once each', async () => {
  const answers = new Map<string, { status: number; code?: string; message?: string }>();
  let writing = true;
  const client = async (n: number) => {
    while (writing) {
      const id = randomUUID();
      const answer = await postExchange(app.server.url, {
        id,
        user_id: 100 + n,
        ai_model: 'gpt-4o',
        user_message: `client ${n}`,
        prompt_tokens: 3,
        completion_tokens: 4,
      });
      answers.set(id, answer);
      if (answer.status !== 201) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  let peakRss = 0;
  const baseline = await app.rss();
  const sampler = setInterval(() => void app.rss().then((rss) => (peakRss = Math.max(peakRss, rss)), () => undefined), 100);
  const clients = Array.from({ length: 8 }, (_, n) => client(n));

  await new Promise((resolve) => setTimeout(resolve, 2000));
  const beforeOutage = answers.size;
  await endNextBatchWrite();
  await own.stop('fast');
  await new Promise((resolve) => setTimeout(resolve, 5000));
  await own.start();
  await new Promise((resolve) => setTimeout(resolve, 4000));
  writing = false;
  await Promise.all(clients);
  clearInterval(sampler);

  const ok = [...answers].filter(([, a]) => a.status >= 200 && a.status < 300).map(([id]) => id);
  const refused = [...answers].filter(([, a]) => a.status < 200 || a.status >= 300);
  const summary = JSON.stringify([...new Set([...answers.values()].map((a) => `${a.status} ${a.code} ${a.message?.slice(0, 200)}`))]) + ` exit=${app.server.child.exitCode} signal=${app.server.child.signalCode} ` + app.server.output().slice(-6000);
  expect(beforeOutage).toBeGreaterThan(0);
  expect(ok.length, summary).toBeGreaterThan(beforeOutage);
  // Every refusal is a clear 503 that says whether to retry.
  const codes = new Set(refused.map(([, a]) => `${a.status} ${a.code}`));
  for (const code of codes) expect(['503 database_unavailable', '503 not_stored', '503 overloaded'], app.server.output().slice(-4000)).toContain(code);
  for (const [, a] of refused) expect(a.message).toMatch(/\S{10,}/);

  // Accepted writes met the outage and were retried until the database was back.
  expect(app.server.output().match(/retrying in \d+ ms/g)?.length ?? 0, summary).toBeGreaterThan(0);

  const db = new pg.Client({ connectionString: own.url });
  await db.connect();
  try {
    const stored = (await db.query<{ id: string; n: number }>('SELECT id, count(*)::int AS n FROM conversations GROUP BY id')).rows;
    expect(stored.filter((r) => r.n !== 1)).toEqual([]);
    expect(stored.map((r) => r.id).sort()).toEqual([...ok].sort());
    const mismatched = await db.query(`
      SELECT u.id FROM users u LEFT JOIN (SELECT user_id, count(*)::int AS n, sum(total_tokens)::bigint AS tokens FROM conversations GROUP BY user_id) c ON c.user_id = u.id
      WHERE u.message_count <> coalesce(c.n, 0) OR u.tokens_used <> coalesce(c.tokens, 0)`);
    expect(mismatched.rows).toEqual([]);
  } finally {
    await db.end();
  }
  // The queue holds at most QUEUE_LIMIT small rows (well under a megabyte): the process does not
  // grow with the outage. The bound leaves room for V8's heap growth and the HTTP buffers.
  expect(peakRss - baseline).toBeLessThan(150 * 1024 * 1024);
}, 180_000);
