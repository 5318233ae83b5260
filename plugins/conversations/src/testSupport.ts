/**
 * Shared set-up of the integration tests: a fresh database and a kernel running this plugin.
 * Not exported from index.ts.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, startTestKernel, type TestDatabase, type TestKernel } from '@plugboard/core/testing';
import conversations from './plugin.js';

export interface TestApp {
  db: TestDatabase;
  kernel: TestKernel;
  close(): Promise<void>;
}

export async function startApp(config: Record<string, unknown> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  try {
    const kernel = await startTestKernel({ plugins: [conversations], database: db, config: { conversations: config } });
    return { db, kernel, close: async () => { await kernel.stop(); await db.close(); } };
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

export async function postJson(kernel: TestKernel, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await kernel.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

export async function getJson(kernel: TestKernel, path: string): Promise<{ status: number; json: any }> {
  const res = await kernel.fetch(path);
  return { status: res.status, json: await res.json() };
}
