/**
 * Batched writes against direct ones: the same N conversations (BENCH_ROWS, default 200,000)
 * written (a) by the direct `conversations.writer` from 8 concurrent callers, (b) through the
 * batching plugin's writer (many writes in flight, as from many requests), (c) by one COPY of all
 * rows straight into `conversations` (the physical reference: no counters, not idempotent); each
 * on an emptied table. For each: rows/s, Node CPU and the CPU of this database's PostgreSQL
 * backends, and for (b) the latency from a write's call to its durable result, with 20,000 writes
 * in flight (throughput) and with 64 callers that each wait for their write (latency). The batch shapes
 * are also measured on their own (no processor): COPY straight into the table (a first attempt),
 * COPY via the staging table (a retry) and unnest arrays. Then end to end: `POST
 * /api/conversations` (one exchange per request) from 64 autocannon connections against a real
 * `plugboard start`, batching off and on. Prints a table, then one JSON line.
 *
 * Uses BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test;
 * a fresh database is made for the run and dropped after.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createTestDatabase } from '../core/runtime/src/testing/database.js';
import { spawnServer } from '../core/runtime/src/testing/spawnServer.js';
import { startTestKernel } from '../core/runtime/src/testing/startTestKernel.js';
import batching from '../plugins/batching/src/plugin.js';
import { copyChunks } from '../plugins/batching/src/writer/copyText.js';
import { ConversationBatchSink, type WriteMethod } from '../plugins/batching/src/writer/ConversationBatchSink.js';
import { batchPool } from '../plugins/batching/src/writer/pgPool.js';
import conversations from '../plugins/conversations/src/plugin.js';
import { CONVERSATION_COLUMNS, conversationWriterRef, type NewConversation } from '../plugins/conversations/src/index.js';
import { percentile, round1, round2 } from './stats.js';

process.env['TEST_DATABASE_URL'] ??= process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = Number(process.env['BENCH_ROWS'] ?? 200_000);
const USERS = 1000;
const DIRECT_CALLERS = 8;
const IN_FLIGHT = 20_000;
/** Callers that each wait for their write before the next, as requests do: the latency side of the trade-off. */
const CLOSED_LOOP_CALLERS = 64;
const HTTP_SECONDS = Number(process.env['BENCH_HTTP_SECONDS'] ?? 10);
const CLK_TCK = 100;

const rows: NewConversation[] = Array.from({ length: ROWS }, (_, i) => ({
  id: randomUUID(),
  userId: 1 + (i % USERS),
  aiModel: ['gpt-4o', 'claude-3-5-sonnet', 'gemini-1.5-pro'][i % 3]!,
  userMessage: `question ${i}: how do I batch writes?`,
  aiResponse: `answer ${i}: group them`,
  promptTokens: 10 + (i % 50),
  completionTokens: 20 + (i % 70),
  totalTokens: 30 + (i % 50) + (i % 70),
  status: 'completed',
  processingTimeMs: 100 + (i % 900),
  createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
}));

const db = await createTestDatabase();
const admin = new pg.Pool({ connectionString: db.url, max: 2 });

/** CPU seconds of this database's backends (user + system), from /proc. */
async function backendCpu(): Promise<Map<number, number>> {
  const { rows: backends } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  const cpu = new Map<number, number>();
  for (const { pid } of backends) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length > 13) cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
  }
  return cpu;
}

interface Phase {
  name: string;
  seconds: number;
  rowsPerS: number;
  nodeCpuS: number;
  pgCpuS: number;
  latency?: { p50us: number; p99us: number };
}

async function measure(name: string, work: () => Promise<number[] | void>): Promise<Phase> {
  await admin.query('TRUNCATE conversations');
  await admin.query('UPDATE users SET message_count = 0, tokens_used = 0');
  await admin.query('CHECKPOINT').catch(() => undefined);
  const pgBefore = await backendCpu();
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  const latencies = await work();
  const seconds = (performance.now() - began) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const pgAfter = await backendCpu();
  let pgCpuS = 0;
  for (const [pid, s] of pgAfter) pgCpuS += s - (pgBefore.get(pid) ?? 0);
  const { rows: [count] } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM conversations');
  if (count!.n !== ROWS) throw new Error(`${name} stored ${count!.n} rows, not ${ROWS}`);
  return {
    name,
    seconds,
    rowsPerS: ROWS / seconds,
    nodeCpuS: (cpu.user + cpu.system) / 1e6,
    pgCpuS,
    ...(latencies ? { latency: { p50us: percentile(latencies, 50), p99us: percentile(latencies, 99) } } : {}),
  };
}

/** Calls `write` for every row, `concurrency` at a time; returns each call's latency in µs. */
async function writeAll(write: (row: NewConversation) => Promise<boolean>, concurrency: number): Promise<number[]> {
  const latencies = new Array<number>(ROWS);
  let next = 0;
  const loop = async () => {
    while (next < ROWS) {
      const i = next++;
      const t = performance.now();
      const stored = await write(rows[i]!);
      latencies[i] = (performance.now() - t) * 1000;
      if (!stored) throw new Error(`row ${i} was not stored`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return latencies;
}

const batchConfig = { maxBatchSize: 5000, maxDelay: '10ms', maxQueueSize: IN_FLIGHT, maxConcurrentFlushes: 2 };
const phases: Phase[] = [];
let app = await startTestKernel({ plugins: [conversations, batching], database: db, config: { batching: { ...batchConfig, enabled: false } } });
try {
  await admin.query(`INSERT INTO users (id, username) SELECT g, 'user' || g FROM generate_series(1, ${USERS}) g`);
  const writer = app.get(conversationWriterRef);
  phases.push(await measure(`direct writer, ${DIRECT_CALLERS} callers`, () => writeAll((r) => writer.write(r), DIRECT_CALLERS)));
  await app.kernel.enable('batching');
  phases.push(await measure(`batched plugin (method copy), ${IN_FLIGHT} in flight`, () => writeAll((r) => writer.write(r), IN_FLIGHT)));
  phases.push(await measure(`batched plugin, ${CLOSED_LOOP_CALLERS} callers (closed loop)`, () => writeAll((r) => writer.write(r), CLOSED_LOOP_CALLERS)));
  // The batch shapes on their own, without the processor: batches of 5000, two at a time.
  const pool = batchPool(db.sequelize, { max: 2, statementTimeoutMs: 600_000, connectTimeoutMs: 10_000 });
  const shape = (method: WriteMethod, attempt: number) => async () => {
    const sink = new ConversationBatchSink(pool, method);
    let next = 0;
    const loop = async () => {
      while (next < ROWS) {
        const batch = rows.slice(next, (next += 5000));
        const stored = await sink.write(batch, attempt);
        if (!stored.every(Boolean)) throw new Error('a batch row was not stored');
      }
    };
    await Promise.all([loop(), loop()]);
  };
  phases.push(await measure('sink only: COPY into conversations (first attempt)', shape('copy', 1)));
  phases.push(await measure('sink only: COPY via staging table (retry path)', shape('copy', 2)));
  phases.push(await measure('sink only: unnest arrays', shape('unnest', 1)));
  await pool.end();
  phases.push(
    await measure('one COPY of all rows (reference)', async () => {
      const client = await admin.connect();
      try {
        await pipeline(Readable.from(copyChunks(rows)), client.query(copyFrom(`COPY conversations (${CONVERSATION_COLUMNS.join(', ')}) FROM STDIN`)));
      } finally {
        client.release();
      }
    }),
  );
} finally {
  await app.stop();
}

/** requests/s and p99 of POST /api/conversations from 64 connections against a real server. */
async function http(batchingEnabled: boolean): Promise<{ rps: number; p99ms: number; non2xx: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'plugboard-bench-batching-'));
  const config = join(dir, 'plugboard.yaml');
  const plugins = fileURLToPath(new URL('../plugins/', import.meta.url));
  await writeFile(
    config,
    JSON.stringify({
      server: { port: 0 },
      database: { url: db.url },
      logging: { level: 'warn' },
      plugins: { conversations: { from: join(plugins, 'conversations') }, batching: { from: join(plugins, 'batching'), enabled: batchingEnabled } },
    }),
  );
  const server = await spawnServer({ args: ['--config', config] });
  try {
    let n = 0;
    const result = await autocannon({
      url: server.url,
      connections: 64,
      duration: HTTP_SECONDS,
      requests: [
        {
          method: 'POST',
          path: '/api/conversations',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => {
            n++;
            return {
              ...req,
              body: JSON.stringify({ id: randomUUID(), user_id: 1 + (n % USERS), ai_model: 'gpt-4o', user_message: 'hi', ai_response: 'hello', prompt_tokens: 3, completion_tokens: 5 }),
            };
          },
        },
      ],
    });
    return { rps: result.requests.average, p99ms: result.latency.p99, non2xx: result.non2xx + result.errors };
  } finally {
    const code = await server.stop('SIGTERM');
    await rm(dir, { recursive: true, force: true });
    if (code !== 0) throw new Error(`plugboard start exited with ${code} on SIGTERM`);
  }
}

await admin.query('TRUNCATE conversations');
const off = await http(false);
const on = await http(true);
await admin.end();
await db.close();

const [direct, batched, , firstCopy, staging, unnest, copy] = phases as [Phase, Phase, Phase, Phase, Phase, Phase, Phase];
console.log(`\nbatching: ${ROWS} conversations, ${USERS} users (PostgreSQL and this process on the same machine)\n`);
console.table(
  phases.map((p) => ({
    writer: p.name,
    seconds: round2(p.seconds),
    'rows/s': Math.round(p.rowsPerS),
    'node CPU s': round2(p.nodeCpuS),
    'pg CPU s': round2(p.pgCpuS),
    'p50 µs': p.latency ? Math.round(p.latency.p50us) : '',
    'p99 µs': p.latency ? Math.round(p.latency.p99us) : '',
  })),
);
console.table([
  { 'POST /api/conversations, 64 connections': 'batching off', 'requests/s': Math.round(off.rps), 'p99 ms': off.p99ms, 'non-2xx/errors': off.non2xx },
  { 'POST /api/conversations, 64 connections': 'batching on', 'requests/s': Math.round(on.rps), 'p99 ms': on.p99ms, 'non-2xx/errors': on.non2xx },
]);
console.log(
  `batched/direct ${round1(batched.rowsPerS / direct.rowsPerS)}x (goal >= 10), batched/COPY ${round2(batched.rowsPerS / copy.rowsPerS)} (goal >= 0.7), staging/direct-COPY ${round2(staging.rowsPerS / firstCopy.rowsPerS)}, unnest/direct-COPY ${round2(unnest.rowsPerS / firstCopy.rowsPerS)}`,
);
console.log(
  JSON.stringify({
    bench: 'batching',
    rows: ROWS,
    direct_rows_per_s: Math.round(direct.rowsPerS),
    batched_rows_per_s: Math.round(batched.rowsPerS),
    copy_rows_per_s: Math.round(copy.rowsPerS),
    ratio_vs_direct: round2(batched.rowsPerS / direct.rowsPerS),
    ratio_vs_copy: round2(batched.rowsPerS / copy.rowsPerS),
    enqueue_p50_us: Math.round(batched.latency!.p50us),
    enqueue_p99_us: Math.round(batched.latency!.p99us),
    http_rps_off: Math.round(off.rps),
    http_rps_on: Math.round(on.rps),
  }),
);
