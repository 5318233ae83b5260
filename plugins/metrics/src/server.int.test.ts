import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, spawnServer, type SpawnedServer, type TestDatabase } from '@plugboard/core/testing';
import { stringify } from 'yaml';

let db: TestDatabase;
let dir: string;
let server: SpawnedServer;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'plugboard-metrics-server-'));
  const config = join(dir, 'plugboard.yaml');
  await writeFile(config, stringify({ logging: { level: 'debug' }, database: { url: db.url }, plugins: { conversations: {}, metrics: {} } }));
  server = await spawnServer({ args: ['--config', config, '--port', '0'] });
});

afterAll(async () => {
  if (server) expect(await server.stop('SIGTERM')).toBe(0);
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('plugboard start serves /metrics on the app port, and a request log line carries its trace_id and span_id', async () => {
  const res = await fetch(`${server.url}/api/users/8080`);
  expect(res.status).toBe(404);
  const [, traceId, spanId] = res.headers.get('traceresponse')!.split('-');

  const scrape = await fetch(`${server.url}/metrics`);
  expect(scrape.status).toBe(200);
  const text = await scrape.text();
  expect(text).toMatch(/^http_server_request_duration_seconds_count\{[^}]*http_route="\/api\/users\/:id"[^}]*\} 1$/m);
  const check = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  expect(check.stdout + check.stderr).toBe('');

  const line = server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l['path'] === '/api/users/8080');
  expect(line).toMatchObject({ status: 404, trace_id: traceId, span_id: spanId, trace_flags: '01' });
});
