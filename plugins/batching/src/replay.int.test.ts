import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { audit, exchange, post, startApp, type TestApp } from './testSupport.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../core/runtime/bin/plugboard.js', import.meta.url));
let app: TestApp;
let dir: string;

beforeAll(async () => {
  app = await startApp();
  dir = await mkdtemp(join(tmpdir(), 'plugboard-replay-'));
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

it("'plugboard batching replay' stores the dead letters once fixed, and exits 1 while one is still refused", async () => {
  await post(app.kernel, exchange({ user_id: 8001 }));
  const id = randomUUID();
  const payload = { id, userId: 8001, aiModel: 'gpt-4o', userMessage: 'kept aside', aiResponse: null, promptTokens: 1, completionTokens: 2, totalTokens: 4, status: 'completed', processingTimeMs: null, createdAt: '2026-01-01T00:00:00.000Z' };
  await app.db.sequelize.query(
    "INSERT INTO batching_dead_letters (queue, item_id, payload, error_message, error_code) VALUES ('conversations', $1, $2, 'violates check constraint', '23514')",
    { bind: [id, JSON.stringify(payload)] },
  );
  const config = join(dir, 'plugboard.yaml');
  const plugins = fileURLToPath(new URL('../../', import.meta.url));
  await writeFile(
    config,
    JSON.stringify({
      database: { url: app.db.url },
      logging: { level: 'warn' },
      plugins: { conversations: { from: join(plugins, 'conversations') }, batching: { from: join(plugins, 'batching') } },
    }),
  );
  const replay = () => run(process.execPath, [BIN, 'batching', 'replay', '--config', config]).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  );

  const refused = await replay();
  expect(refused.code).toBe(1);
  expect(refused.out).toContain(`'${id}' refused again: new row for relation "conversations" violates check constraint "conversations_total_tokens_sum"`);
  expect(refused.out).toContain('Replayed dead letters: 0 stored, 0 already stored, 1 refused again (kept, with replay_error).');

  await app.db.sequelize.query(`UPDATE batching_dead_letters SET payload = jsonb_set(payload, '{totalTokens}', '3') WHERE item_id = $1`, { bind: [id] });
  const fixed = await replay();
  expect(fixed).toEqual({ code: 0, out: 'Replayed dead letters: 1 stored, 0 already stored, 0 refused again (kept, with replay_error).\n' });
  const { ids, counterMismatches } = await audit(app.db);
  expect(ids.get(id)).toBe(1);
  expect(counterMismatches).toEqual([]);
}, 120_000);
