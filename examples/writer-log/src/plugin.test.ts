import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import conversations, { conversationWriterRef, type NewConversation } from '@plugboard/plugin-conversations';
import { createTestDatabase, startTestKernel, type TestDatabase, type TestKernel } from '@plugboard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import writerLog from './index.js';

let db: TestDatabase;
let app: TestKernel;
let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'writer-log-'));
  file = join(dir, 'logs', 'stored.log');
  db = await createTestDatabase();
  app = await startTestKernel({ plugins: [conversations, writerLog], database: db, config: { 'writer-log': { file } } });
});
afterAll(async () => {
  await app?.stop();
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

async function record(id: string): Promise<number> {
  const res = await app.fetch('/api/conversations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, user_id: 1, ai_model: 'gpt-4o', user_message: 'hi', prompt_tokens: 1, completion_tokens: 1 }),
  });
  return res.status;
}

const logged = async (): Promise<string[]> => (await readFile(file, 'utf8')).split('\n').filter(Boolean);

async function storedIds(): Promise<string[]> {
  const [rows] = await db.sequelize.query('SELECT id FROM conversations ORDER BY created_at, id');
  return (rows as { id: string }[]).map((r) => r.id);
}

describe('writer-log', () => {
  it('appends each stored conversation once; a retry appends nothing', async () => {
    const id = randomUUID();
    expect(await record(id)).toBe(201);
    expect(await record(id)).toBe(200);
    expect(await logged()).toEqual([id]);
  });

  it('is swapped out and back in at runtime without losing a write', async () => {
    const before = await logged();
    const whileOff = randomUUID();
    await app.kernel.disable('writer-log');
    expect(await record(whileOff)).toBe(201); // stored by the direct writer, not logged
    await app.kernel.enable('writer-log');
    const afterOn = randomUUID();
    expect(await record(afterOn)).toBe(201);
    expect(await logged()).toEqual([...before, afterOn]);
    expect(await storedIds()).toEqual(expect.arrayContaining([whileOff, afterOn]));
  });

  it('lets a write already running on it finish there while it is disabled, then closes its file', async () => {
    // A consumer's live handle: calls started before the swap finish on the old provider.
    const writer = app.get(conversationWriterRef);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = randomUUID();
    // A slow writer below the decorator holds the write open while the decorator is disabled.
    const slow = app.provide(conversationWriterRef, {
      async write(c: NewConversation) {
        await gate;
        return c.id === held; // "stored" only for the held one, so the other must not be logged
      },
    }, { ranking: 15 });
    const inFlight = writer.write(conversation(held));
    const disabling = app.kernel.disable('writer-log');
    const after = randomUUID();
    await new Promise((resolve) => setImmediate(resolve));
    // New calls already skip the decorator: this one goes to the slow writer, not through writer-log.
    const next = writer.write(conversation(after));
    release();
    expect(await inFlight).toBe(true);
    await disabling;
    expect(await next).toBe(false);
    expect((await logged()).at(-1)).toBe(held);
    await slow.unregister();
    await app.kernel.enable('writer-log');
  });
});

function conversation(id: string): NewConversation {
  return {
    id, userId: 1, aiModel: 'gpt-4o', userMessage: 'hi', aiResponse: null, promptTokens: 1, completionTokens: 1,
    totalTokens: 2, status: 'completed', processingTimeMs: null, createdAt: new Date(),
  };
}
