/**
 * Shared set-up of the integration tests: a fresh database and a kernel running conversations
 * and batching. Not exported from index.ts.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, startTestKernel, type TestDatabase, type TestKernel } from '@plugboard/core/testing';
import conversations from '@plugboard/plugin-conversations';
import batching from './plugin.js';

export interface TestApp {
  db: TestDatabase;
  kernel: TestKernel;
  close(): Promise<void>;
}

export async function startApp(config: Record<string, unknown> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  try {
    const kernel = await startTestKernel({ plugins: [conversations, batching], database: db, config: { batching: config } });
    return {
      db,
      kernel,
      close: async () => {
        await kernel.stop();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** A valid wire-format exchange; override any field. */
export function exchange(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    user_id: 1001,
    username: 'ada',
    ai_model: 'gpt-4o',
    user_message: 'Hello?',
    ai_response: 'Hi!',
    prompt_tokens: 10,
    completion_tokens: 20,
    processing_time_ms: 800,
    ...overrides,
  };
}

export async function post(kernel: TestKernel, body: unknown): Promise<{ status: number; json: any; retryAfter: string | null }> {
  const res = await kernel.fetch('/api/conversations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json(), retryAfter: res.headers.get('retry-after') };
}

/** Rows per id and each user's counters against the rows they own: what "nothing lost, nothing counted twice" checks. */
export async function audit(db: TestDatabase): Promise<{ ids: Map<string, number>; counterMismatches: unknown[] }> {
  const [rows] = await db.sequelize.query('SELECT id, count(*)::int AS n FROM conversations GROUP BY id');
  const [mismatches] = await db.sequelize.query(`
    SELECT u.id, u.message_count, u.tokens_used, c.n, c.tokens
    FROM users u LEFT JOIN (SELECT user_id, count(*)::int AS n, coalesce(sum(total_tokens), 0)::bigint AS tokens FROM conversations GROUP BY user_id) c ON c.user_id = u.id
    WHERE u.message_count <> coalesce(c.n, 0) OR u.tokens_used <> coalesce(c.tokens, 0)`);
  return { ids: new Map((rows as { id: string; n: number }[]).map((r) => [r.id, r.n])), counterMismatches: mismatches };
}
