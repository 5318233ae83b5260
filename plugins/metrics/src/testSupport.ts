/**
 * Shared set-up of the integration tests: a fresh database, a kernel running conversations and
 * metrics, and a real HTTP server in front of the host's stack on a free port. Not exported.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      kernel
        .fetch(req.url ?? '/', { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) })
        .then(async (r) => {
          res.writeHead(r.status, Object.fromEntries(r.headers));
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch((err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    db,
    kernel,
    url,
    close: async () => {
      await closeServer(server);
      await kernel.stop();
      await db.close();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
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
