import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, spawnServer, startTestKernel, type SpawnedServer, type TestDatabase } from '@plugboard/core/testing';
import conversations, { seed } from '@plugboard/plugin-conversations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbReport } from './contract.js';
import { EIGHT_INDEXES } from './declarations.js';
import { indexValidity } from './testSupport.js';

/**
 * The plugin in real servers (`plugboard start` on the project's config) and the real CLI:
 * two instances on one database build each index once; the admin token guards /admin/db/...;
 * `plugboard db ...` commands print what they say.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../core/runtime/bin/plugboard.js', import.meta.url));
const TOKEN = 'db-indexes-test-token-0123456789';
const names = EIGHT_INDEXES.map((d) => d.name);

let db: TestDatabase;
let servers: SpawnedServer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const app = await startTestKernel({ plugins: [conversations], database: db });
  await app.stop();
  await seed({ sequelize: db.sequelize, users: 2_000, conversations: 30_000, seed: 5 });
  const env = { DATABASE_URL: db.url, PLUGBOARD_ADMIN_TOKEN: TOKEN, PLUGBOARD_LOG_LEVEL: 'info' };
  servers = await Promise.all([0, 1].map(() => spawnServer({ args: ['--port', '0'], env, cwd: ROOT, timeoutMs: 90_000 })));
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.filter((s) => s.child.exitCode === null).map((s) => s.stop('SIGTERM')));
  await db.close();
});

function builtLines(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string; index?: string })
    .filter((r) => r.msg?.startsWith('built index '))
    .map((r) => r.index!);
}

describe('two servers on one database', () => {
  it('build each index once and both report them valid', async () => {
    const reports = await Promise.all(servers.map(async (s) => (await (await fetch(`${s.url}/api/db/report?analyze=false`)).json()) as DbReport));
    for (const r of reports) expect(r.indexes.map((i) => i.state)).toEqual(names.map(() => 'valid'));
    const built = servers.flatMap((s) => builtLines(s.output())).sort();
    expect(built).toEqual([...names].sort());
    expect(await indexValidity(db.sequelize, names)).toEqual(Object.fromEntries(names.map((n) => [n, true])));
  });
});

describe('admin routes', () => {
  it('refuse a request without the bearer token and serve one with it', async () => {
    const url = `${servers[0]!.url}/admin/db/indexes/ensure`;
    const anonymous = await fetch(url, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { built: unknown[] }).built).toEqual([]);
    // Reads stay open.
    expect((await fetch(`${servers[0]!.url}/api/db/builds`)).status).toBe(200);
  });

  it('refuse a what-if that is not one CREATE INDEX with a 400 naming the problem', async () => {
    const res = await fetch(`${servers[0]!.url}/admin/db/whatif`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ statement: 'CREATE INDEX ON users (id); DROP TABLE users' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'invalid_statement', message: expect.stringContaining('semicolon') });
  });
});

describe('plugboard db commands', () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, PLUGBOARD_LOG_LEVEL: 'warn' }, timeout: 60_000 });

  it('db report --json prints the report; the table and Markdown forms name every index', async () => {
    const json = JSON.parse((await run('db', 'report', '--json', '--no-analyze')).stdout) as DbReport;
    expect(json.indexes.map((i) => [i.declaration.name, i.state])).toEqual(names.map((n) => [n, 'valid']));
    const text = (await run('db', 'report', '--no-analyze')).stdout;
    const markdown = (await run('db', 'report', '--markdown', '--no-analyze')).stdout;
    for (const n of names) {
      expect(text).toContain(n);
      expect(markdown).toContain(`| ${n} |`);
    }
  }, 90_000);

  it('db whatif prints the effect of a candidate and says the build locked writes', async () => {
    const { stdout } = await run('db', 'whatif', 'CREATE INDEX ON conversations (status, created_at)', '--build', '--json');
    const result = JSON.parse(stdout) as { method: string; notice: string; queries: { name: string }[] };
    expect(result.method).toBe('build-and-rollback');
    expect(result.notice).toContain('blocked writes');
    expect(result.queries.map((q) => q.name)).toContain('conversationsByStatus');
  }, 60_000);

  it('db ensure-indexes finds nothing to build and db progress no build running', async () => {
    expect((await run('db', 'ensure-indexes')).stdout).toContain('Nothing to build');
    expect((await run('db', 'progress')).stdout).toContain('No index build is running');
  }, 60_000);
});
