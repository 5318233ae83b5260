import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { spawnServer, type SpawnedServer } from '../testing/spawnServer.js';

/**
 * The whole server as an operator runs it: `plugboard start` on the default config (every
 * standard plugin) against a real PostgreSQL, driven over HTTP, stopped with SIGTERM.
 */
describe('plugboard start', () => {
  let db: TestDatabase;
  let server: SpawnedServer;
  const token = 'test-admin-token';
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await spawnServer({
      args: ['--port', '0'],
      env: { DATABASE_URL: db.url, PLUGBOARD_ADMIN_TOKEN: token },
    });
  }, 120_000);

  afterAll(async () => {
    if (server.child.exitCode === null) await server.stop('SIGKILL');
    await db.close();
  });

  test('answers bad input with a 4xx JSON error and keeps serving', async () => {
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${server.url}/api/conversations`, { method: 'POST', headers: { 'content-type': contentType }, body });
    const cases: [string, Promise<Response>, number, string][] = [
      ['malformed JSON', post('{"id": '), 400, 'malformed_json'],
      ['wrong content type', post('id=1', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type'],
      ['oversized body', post(JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) })), 413, 'payload_too_large'],
      ['unknown route', fetch(`${server.url}/api/nothing-here`), 404, 'not_found'],
      ['missing fields', post('{}'), 400, 'invalid_request'],
    ];
    for (const [what, response, status, code] of cases) {
      const res = await response;
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect({ what, status: res.status, code: body.error.code }).toEqual({ what, status, code });
      expect(body.error.message.length).toBeGreaterThan(0);
    }
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  test('is ready, serves the admin API behind its token, and exits 0 on SIGTERM', async () => {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);

    const anonymous = await fetch(`${server.url}/admin/plugins`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const wrong = await fetch(`${server.url}/admin/plugins`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);

    const list = (await (await admin('/admin/plugins')).json()) as { plugins: { name: string; state: string }[] };
    expect(list.plugins.find((p) => p.name === 'conversations')?.state).toBe('started');

    const unknownUser = await fetch(`${server.url}/api/users/424242`);
    expect(unknownUser.status).toBe(404);
    expect(((await unknownUser.json()) as { error: { code: string } }).error.code).toBe('user_not_found');

    const disabled = await admin('/admin/plugins/conversations/disable?cascade=true', { method: 'POST' });
    expect(disabled.status).toBe(200);
    expect(((await disabled.json()) as { stopped: string[] }).stopped).toContain('conversations');
    const gone = await fetch(`${server.url}/api/users/424242`);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('not_found');

    const enabled = await admin('/admin/plugins/conversations/enable', { method: 'POST' });
    expect(enabled.status).toBe(200);
    expect(((await enabled.json()) as { started: string[] }).started).toEqual(['conversations']);
    const back = await fetch(`${server.url}/api/users/424242`);
    expect(((await back.json()) as { error: { code: string } }).error.code).toBe('user_not_found');
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.output()).toContain("Stopped plugin 'conversations'.");
  });
});
