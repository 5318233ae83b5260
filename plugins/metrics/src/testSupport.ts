/**
 * Shared set-up of the integration tests: a fresh database, a kernel running conversations and
 * metrics, and a real HTTP server in front of the host's stack on a free port. Not exported.
 */
import { createTestDatabase, startTestKernel, type TestDatabase, type TestKernel } from '@plugboard/core/testing';
import conversations from '@plugboard/plugin-conversations';
import metrics from './plugin.js';

export interface TestApp {
  db: TestDatabase;
  kernel: TestKernel;
  /** `http://127.0.0.1:<port>` of the real server. */
  url: string;
  close(): Promise<void>;
}

export async function startApp(config: Record<string, unknown> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const kernel = await startTestKernel({ plugins: [conversations, metrics], database: db, config: { metrics: config } }).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  // The harness's own real HTTP server in front of the host's stack; kernel.stop() closes it.
  const url = await kernel.listen();
  return {
    db,
    kernel,
    url,
    close: async () => {
      await kernel.stop();
      await db.close();
    },
  };
}

/** A valid wire-format exchange for POST /api/conversations. */
export function exchange(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: crypto.randomUUID(),
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

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
