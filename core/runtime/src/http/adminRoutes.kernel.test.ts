import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin } from '@plugboard/plugin-api';
import { Kernel } from '../kernel/Kernel.js';
import { loadedConfigOf } from '../kernel/__fixtures__/loadedConfig.js';
import { loadConfig } from '../kernel/loadConfig.js';
import { createHttpApp } from './createHttpApp.js';
import { startHttpServer, type RunningServer } from './server.js';

/** The admin API in front of a real kernel: what the operator's requests do to running plugins. */
const projectRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'kernel', '__fixtures__', 'project');
const TOKEN = 'admin-kernel-token';
const logger = pino({ level: 'silent' });

let server: RunningServer | undefined;
let kernel: Kernel | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close({ graceMs: 1000 });
  await kernel?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  server = kernel = dir = undefined;
});

async function serve(k: Kernel): Promise<(route: string, init?: RequestInit) => Promise<{ status: number; json: unknown }>> {
  kernel = k;
  await k.start();
  server = await startHttpServer(createHttpApp({ kernel: k, logger, bodyLimit: 4096, adminToken: TOKEN }), { host: '127.0.0.1', port: 0, logger });
  const url = server.url;
  return async (route, init = {}) => {
    const res = await fetch(`${url}${route}`, { method: 'POST', ...init, headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'rq', ...(init.headers as Record<string, string>) } });
    return { status: res.status, json: await res.json() };
  };
}

describe('admin API on a real kernel', () => {
  it('reload answers 422 with the problems of the temp config file, and keeps the running plugins', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plugboard-admin-'));
    await mkdir(path.join(dir, 'config'));
    const file = path.join(dir, 'config', 'plugboard.yaml');
    await writeFile(file, 'plugins:\n  conversations:\n    cache:\n      max: 10\n');
    const load = () => loadConfig({ path: file, projectRoot, env: {}, coreVersion: '0.1.0' });
    const post = await serve(new Kernel({ config: await load(), logger, loadConfig: load }));

    await writeFile(file, 'servr:\n  port: 1\nplugins:\n  conversations:\n    cache:\n      max: -1\n      ttl: 5\n');
    const problems = [
      'servr: Unrecognized key',
      'plugins.conversations.cache.max: Too small: expected number to be >0',
      'plugins.conversations.cache.ttl: Invalid input: expected string, received number',
    ];
    const rejected = await post('/admin/config/reload');
    expect(rejected).toEqual({
      status: 422,
      json: {
        error: {
          code: 'config_invalid',
          message: `Config file '${file}' has 3 problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
          requestId: 'rq',
          details: { path: file, problems },
        },
      },
    });

    await writeFile(file, '# all gone\n');
    const emptied = await post('/admin/config/reload');
    expect(emptied.status).toBe(422);
    expect(emptied.json).toEqual({
      error: {
        code: 'config_invalid',
        message: `Config file '${file}' was not applied, and the running config is kept:\n  - plugins.conversations: the section of running plugin 'conversations' is missing, so applying the file would stop it. Put the section back, or set plugins.conversations.enabled: false to stop it.\n  - plugins: the file enables no plugin, so the server would serve no request. An empty, truncated or half-saved file looks like this; if no plugin should run, say so with plugins.<name>.enabled: false.`,
        requestId: 'rq',
        details: {
          path: file,
          problems: [
            "plugins.conversations: the section of running plugin 'conversations' is missing, so applying the file would stop it. Put the section back, or set plugins.conversations.enabled: false to stop it.",
            'plugins: the file enables no plugin, so the server would serve no request. An empty, truncated or half-saved file looks like this; if no plugin should run, say so with plugins.<name>.enabled: false.',
          ],
        },
      },
    });
    expect(kernel!.plugins().map((p) => [p.name, p.state])).toEqual([['conversations', 'started']]);

    await writeFile(file, 'plugins:\n  conversations:\n    cache:\n      max: 20\n');
    expect(await post('/admin/config/reload')).toEqual({ status: 200, json: { started: [], stopped: [], restarted: ['conversations'], failed: [] } });
  });

  it('enable with cascade, from the query or the JSON body, starts again what the cascade disable stopped', async () => {
    const plugin = (name: string, dependsOn: Record<string, string> = {}) =>
      definePlugin({ name, version: '1.0.0', core: '^0.1.0', dependsOn, setup() {} });
    const post = await serve(
      new Kernel({ config: loadedConfigOf([plugin('db'), plugin('api', { db: '*' }), plugin('dash', { api: '*' })]), logger }),
    );
    const json = { 'content-type': 'application/json' };
    const report = (started: string[], stopped: string[] = []) => ({ status: 200, json: { started, stopped, restarted: [], failed: [] } });

    expect(await post('/admin/plugins/db/disable?cascade=true')).toEqual(report([], ['dash', 'api', 'db']));
    expect(await post('/admin/plugins/db/enable')).toEqual(report(['db']));
    expect(await post('/admin/plugins/db/enable?cascade=true')).toEqual(report(['api', 'dash']));

    expect(await post('/admin/plugins/db/disable', { headers: json, body: '{"cascade":true}' })).toEqual(report([], ['dash', 'api', 'db']));
    expect(await post('/admin/plugins/db/enable', { headers: json, body: '{"cascade":true}' })).toEqual(report(['db', 'api', 'dash']));
    expect(await post('/admin/plugins/db/enable?cascade=maybe')).toEqual({
      status: 400,
      json: { error: { code: 'invalid_request', message: "The query parameter 'cascade' must be 'true' or 'false', not 'maybe'.", requestId: 'rq' } },
    });
  });
});
