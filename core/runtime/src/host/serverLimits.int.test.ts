import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { AppHost } from './AppHost.js';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'plugboard-limits-'));
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

/** The raw answer to one GET on its own connection, keep-alive headers included. */
function rawGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(data);
      }
    });
    socket.on('error', reject);
  });
}

describe('AppHost server settings', () => {
  test('passes the server section of the config to the HTTP server and the admin API', async () => {
    const path = join(dir, 'limits.yaml');
    await writeFile(
      path,
      `
server:
  port: 0
  keepAliveTimeout: 2s
  adminToken: a-long-enough-admin-token
  adminMaxFailures: 1
  adminFailureWindow: 1m
database: { url: '${db.url}' }
plugins: {}
`,
    );
    const host = await AppHost.start({ configPath: path, logger: pino({ level: 'silent' }) });
    try {
      expect(await rawGet(host.server.port, '/healthz')).toContain('\r\nKeep-Alive: timeout=2\r\n');
      const admin = (token: string) => fetch(`${host.server.url}/admin/plugins`, { headers: { authorization: `Bearer ${token}` } });
      expect((await admin('a-long-enough-admin-token')).status).toBe(200);
      expect((await admin('not-the-admin-token')).status).toBe(401);
      expect((await admin('a-long-enough-admin-token')).status).toBe(429);
    } finally {
      await host.stop();
    }
  });
});
