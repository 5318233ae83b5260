import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, startTestKernel, type TestDatabase, type TestKernel } from '@plugboard/core/testing';
import { definePlugin } from '@plugboard/plugin-api';
import conversations from '../plugin.js';
import { conversationWriterRef } from '../refs.js';
import { exchange, postJson } from '../testSupport.js';

const CYCLES = 100;
const CONCURRENT_WRITERS = 8;

let dir: string;
let auditFile: string;
/** Writes the decorator has recorded since the test began, and who waits for the next one. */
let decorated = 0;
let onDecorated: (() => void) | undefined;
/** Writes running in the decorator right now, sampled at each disable. */
let running = 0;

/**
 * A decorator of `conversations.writer`: it delegates each write to the provider below its own
 * (ctx.next) and appends the id of every stored conversation to a file, as an audit log would.
 */
const writerAudit = definePlugin({
  name: 'writer-audit',
  version: '1.0.0',
  core: '^0.1.0',
  provides: [conversationWriterRef],
  setup(ctx) {
    const below = ctx.next(conversationWriterRef);
    ctx.provide(
      conversationWriterRef,
      {
        async write(c) {
          running += 1;
          try {
            const stored = await below.write(c);
            if (stored) {
              await appendFile(auditFile, `${c.id}\n`);
              decorated += 1;
              onDecorated?.();
            }
            return stored;
          } finally {
            running -= 1;
          }
        },
      },
      { ranking: 10 },
    );
  },
});

/** Resolves once the decorator has recorded a write after this call. */
function nextDecoratedWrite(): Promise<void> {
  const before = decorated;
  return new Promise((resolve) => {
    onDecorated = () => {
      if (decorated > before) {
        onDecorated = undefined;
        resolve();
      }
    };
  });
}

let db: TestDatabase;
let app: TestKernel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plugboard-writer-audit-'));
  auditFile = join(dir, 'written-ids.txt');
  db = await createTestDatabase();
  app = await startTestKernel({
    plugins: [conversations, writerAudit],
    database: db,
    config: { 'writer-audit': { enabled: false } },
  });
});
afterAll(async () => {
  await app?.stop();
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it(`loses and duplicates no write while a decorator of the writer is enabled and disabled ${CYCLES} times under concurrent writes`, async () => {
  const acknowledged = new Map<string, number>();
  const failures: string[] = [];
  const changeFailures: unknown[] = [];
  let runningAtDisable = 0;
  let stopWriting = false;

  const writer = async (userId: number): Promise<void> => {
    while (!stopWriting) {
      const body = exchange({ user_id: userId, username: `user${userId}` });
      const res = await postJson(app, '/api/conversations', body);
      if (res.status === 201 && res.json.data.created === true) acknowledged.set(body.id as string, userId);
      else failures.push(`${res.status} ${JSON.stringify(res.json)}`);
    }
  };
  const writers = Array.from({ length: CONCURRENT_WRITERS }, (_, i) => writer(5000 + i));

  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const decoratedOnce = nextDecoratedWrite();
    const enabled = await app.kernel.enable('writer-audit');
    if (enabled.failed.length > 0) {
      stopWriting = true;
      await Promise.all(writers);
      throw new Error(`Cycle ${cycle}: enabling 'writer-audit' failed: ${JSON.stringify(enabled.failed)}`);
    }
    // Each cycle really decorates writes before the decorator goes again.
    await decoratedOnce;
    runningAtDisable += running;
    const disabled = await app.kernel.disable('writer-audit');
    if (disabled.failed.length > 0) changeFailures.push(disabled.failed);
  }
  stopWriting = true;
  await Promise.all(writers);

  expect(changeFailures).toEqual([]);
  // Disables did withdraw the decorator with writes still running on it, which had to drain.
  expect(runningAtDisable).toBeGreaterThan(0);
  expect(failures).toEqual([]);
  expect(app.kernel.plugins().find((p) => p.name === 'writer-audit')?.state).toBe('disabled');

  // Every acknowledged write is stored exactly once, and nothing else is.
  const [rows] = await db.sequelize.query('SELECT id, user_id FROM conversations');
  const stored = new Map((rows as { id: string; user_id: string }[]).map((r) => [r.id, Number(r.user_id)]));
  expect(stored.size).toBe(acknowledged.size);
  expect(stored).toEqual(acknowledged);
  // ...and counted once on its user.
  const [users] = await db.sequelize.query('SELECT id, message_count FROM users ORDER BY id');
  const perUser = new Map<number, number>();
  for (const userId of acknowledged.values()) perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
  expect((users as { id: string; message_count: number }[]).map((u) => [Number(u.id), Number(u.message_count)])).toEqual(
    [...perUser.entries()].sort((a, b) => a[0] - b[0]),
  );

  // The decorator saw writes in every cycle; each id it logged is unique, and stored.
  const logged = (await readFile(auditFile, 'utf8')).split('\n').filter((line) => line !== '');
  expect(logged.length).toBe(decorated);
  expect(logged.length).toBeGreaterThanOrEqual(CYCLES);
  expect(new Set(logged).size).toBe(logged.length);
  expect(logged.filter((id) => !stored.has(id))).toEqual([]);
}, 120_000);
