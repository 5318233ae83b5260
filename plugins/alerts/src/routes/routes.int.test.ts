/**
 * The routes on a real `plugboard start` process: the read API, silences behind core's admin
 * bearer token (which guards plugin routes under /admin too), bad input refused with the field
 * named, and a reload with an invalid rule refused while the running rules stay, silences kept across a restart.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, spawnServer, type SpawnedServer, type TestDatabase } from '@plugboard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

const TOKEN = 'a-test-admin-token-0123456789';
const ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
let db: TestDatabase;
let dir: string;
let server: SpawnedServer;

function configText(rules: unknown[]): string {
  return stringify({
    server: { adminToken: TOKEN },
    logging: { level: 'warn' },
    database: { url: db.url },
    plugins: {
      conversations: { from: join(ROOT, 'plugins/conversations') },
      metrics: { from: join(ROOT, 'plugins/metrics'), system: { enabled: false } },
      alerts: { from: join(ROOT, 'plugins/alerts'), rules },
    },
  });
}

const rule = { name: 'ManyMisses', expr: 'sum(rate(plugboard.cache.misses[5m]))', threshold: 50 };
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { ...auth, 'content-type': 'application/json' };

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'alerts-routes-'));
  await writeFile(join(dir, 'plugboard.yaml'), configText([rule]));
  server = await spawnServer({ args: ['--config', join(dir, 'plugboard.yaml'), '--port', '0'], cwd: ROOT });
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
  await db?.close();
});

describe('alerts routes', () => {
  it('GET /api/alerts and /api/alerts/rules answer the engine', async () => {
    const rules = (await (await fetch(`${server.url}/api/alerts/rules`)).json()) as { rules: { name: string; source: string; promql: string }[] };
    expect(rules.rules.map((r) => r.name)).toEqual(['HighMemoryUse', 'HighCpuLoad', 'SlowDatabaseQueries', 'LowCacheHitRate', 'HighBatchQueue', 'ErrorSpike', 'ManyMisses']);
    expect(rules.rules.at(-1)).toMatchObject({ source: 'config', promql: 'sum (rate(plugboard_cache_misses_total[5m])) > 50' });
    expect(await (await fetch(`${server.url}/api/alerts`)).json()).toEqual({ alerts: [] });
  });

  it('guards /admin/silences with the admin token', async () => {
    expect((await fetch(`${server.url}/admin/silences`)).status).toBe(401);
    expect((await fetch(`${server.url}/admin/silences`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const res = await fetch(`${server.url}/admin/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect((await fetch(`${server.url}/admin/silences`, { headers: auth })).status).toBe(200);
  });

  it('adds, lists and expires silences, refusing bad ones with the field named', async () => {
    const post = (body: unknown) => fetch(`${server.url}/admin/silences`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const noMatcher = await post({ matchers: [], endsAt: later });
    expect(noMatcher.status).toBe(400);
    expect(((await noMatcher.json()) as { error: { message: string } }).error.message).toContain(
      'silence.matchers: a silence needs at least one matcher, such as { "name": "alertname", "value": "HighCpuLoad" }',
    );
    const past = await post({ matchers: [{ name: 'alertname', value: 'X' }], endsAt: '2020-01-01T00:00:00Z' });
    expect(((await past.json()) as { error: { message: string } }).error.message).toBe(
      'The silence is invalid: silence.endsAt: 2020-01-01T00:00:00Z is not in the future; give a later time.',
    );
    const badTime = await post({ matchers: [{ name: 'alertname', value: 'X' }], endsAt: 'tomorrow' });
    expect(((await badTime.json()) as { error: { message: string } }).error.message).toContain('silence.endsAt: endsAt must be an ISO time such as 2026-01-01T12:00:00Z');

    const created = await post({ matchers: [{ name: 'alertname', value: 'HighCpuLoad' }], endsAt: later, comment: 'load test', createdBy: 'ops' });
    expect(created.status).toBe(201);
    const silence = (await created.json()) as { id: string; endsAt: string; comment: string };
    expect(silence).toMatchObject({ comment: 'load test', endsAt: later });
    const listed = (await (await fetch(`${server.url}/admin/silences`, { headers: auth })).json()) as { silences: { id: string }[] };
    expect(listed.silences.map((s) => s.id)).toContain(silence.id);
    expect((await fetch(`${server.url}/admin/silences/${silence.id}`, { method: 'DELETE', headers: auth })).status).toBe(204);
    const again = await fetch(`${server.url}/admin/silences/${silence.id}`, { method: 'DELETE', headers: auth });
    expect(again.status).toBe(404);
  });

  it('refuses a reload with an invalid rule and keeps the running rules; a valid reload applies', async () => {
    await writeFile(join(dir, 'plugboard.yaml'), configText([rule, { name: 'Broken', expr: 'rate(plugboard.cache.misses[5m])', threshold: 'lots', for: 'soon' }]));
    const refused = await fetch(`${server.url}/admin/config/reload`, { method: 'POST', headers: auth });
    expect(refused.status).toBe(422);
    const message = ((await refused.json()) as { error: { message: string } }).error.message;
    expect(message).toContain('plugins.alerts.rules[1].threshold: the threshold must be a number');
    expect(message).toContain('plugins.alerts.rules[1].for: Invalid duration');
    const names = async () => ((await (await fetch(`${server.url}/api/alerts/rules`)).json()) as { rules: { name: string }[] }).rules.map((r) => r.name);
    expect(await names()).toContain('ManyMisses');
    expect(await names()).not.toContain('Broken');

    // A silence made through the API survives the restart a valid reload of the section makes.
    const made = await fetch(`${server.url}/admin/silences`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ matchers: [{ name: 'alertname', value: 'ManyMisses' }], endsAt: new Date(Date.now() + 3_600_000).toISOString() }),
    });
    const { id } = (await made.json()) as { id: string };
    await writeFile(join(dir, 'plugboard.yaml'), configText([{ ...rule, name: 'ManyMissesNow', threshold: 10 }]));
    expect((await fetch(`${server.url}/admin/config/reload`, { method: 'POST', headers: auth })).status).toBe(200);
    expect((await names()).at(-1)).toBe('ManyMissesNow');
    const kept = (await (await fetch(`${server.url}/admin/silences`, { headers: auth })).json()) as { silences: { id: string }[] };
    expect(kept.silences.map((s) => s.id)).toContain(id);
  });
});
