/**
 * The examples as an operator runs them: `plugboard start --config config/examples.yaml`, a real
 * process that loads both example packages by their package names, serving real HTTP.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, spawnServer } from '@plugboard/core/testing';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

it('config/examples.yaml starts both examples by package name, and a stored conversation passes through both', async () => {
  const db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'plugboard-examples-'));
  const log = join(dir, 'stored.log');
  const server = await spawnServer({
    cwd: ROOT,
    args: ['--config', 'config/examples.yaml', '--port', '0'],
    env: { DATABASE_URL: db.url, WRITER_LOG_FILE: log, PLUGBOARD_LOG_LEVEL: 'info' },
  });
  try {
    const id = randomUUID();
    const res = await fetch(`${server.url}/api/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, user_id: 5, ai_model: 'gpt-4o', user_message: 'hi', prompt_tokens: 300, completion_tokens: 200 }),
    });
    expect(res.status).toBe(201);
    expect((await readFile(log, 'utf8')).split('\n').filter(Boolean)).toEqual([id]);
    const quota = await fetch(`${server.url}/api/quotas/5`);
    expect(await quota.json()).toEqual({ userId: 5, remaining: 99_500 });
    expect(server.output()).toMatch(/quotas 1\.0\.0[\s\S]*writer-log 1\.0\.0/);
  } finally {
    await server.stop('SIGTERM');
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
