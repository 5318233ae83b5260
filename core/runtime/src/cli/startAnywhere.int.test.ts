import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { spawnServer } from '../testing/spawnServer.js';

const PLUGIN_API = path.resolve(fileURLToPath(new URL('../../../plugin-api', import.meta.url)));

let db: TestDatabase;
let project: string;
let elsewhere: string;
beforeAll(async () => {
  db = await createTestDatabase();
  // A third-party plugin's own project, outside the repository: it depends on @plugboard/plugin-api only.
  project = await mkdtemp(path.join(tmpdir(), 'plugboard-thirdparty-'));
  await mkdir(path.join(project, 'node_modules', '@plugboard'), { recursive: true });
  await symlink(PLUGIN_API, path.join(project, 'node_modules', '@plugboard', 'plugin-api'));
  await mkdir(path.join(project, 'greeter'));
  await writeFile(
    path.join(project, 'greeter', 'package.json'),
    JSON.stringify({ name: 'greeter', type: 'module', exports: { '.': './index.ts' }, dependencies: { '@plugboard/plugin-api': '0.1.0' } }),
  );
  await writeFile(
    path.join(project, 'greeter', 'index.ts'),
    [
      "import { definePlugin } from '@plugboard/plugin-api';",
      '',
      'export default definePlugin({',
      "  name: 'greeter',",
      "  version: '1.0.0',",
      "  core: '^0.1.0',",
      '  setup(ctx) {',
      "    ctx.http.get('/api/greet', (c) => c.json({ greeting: 'hi from outside' }));",
      '  },',
      '});',
      '',
    ].join('\n'),
  );
  // The config, in a folder of its own (not config/, no package.json) that the server runs from.
  elsewhere = await mkdtemp(path.join(tmpdir(), 'plugboard-config-'));
  await chmod(elsewhere, 0o711);
  await writeFile(
    path.join(elsewhere, 'plugboard.yaml'),
    [
      'server: { port: 0 }',
      `database: { url: '${db.url}' }`,
      'plugins:',
      '  greeter:',
      `    from: ../${path.basename(project)}/greeter`,
      '  conversations: {}',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await db.close();
  await rm(project, { recursive: true, force: true });
  await rm(elsewhere, { recursive: true, force: true });
});

describe('plugboard start with a config outside config/ and a plugin outside the repository', () => {
  test('loads the plugin by a path relative to the config, the standard plugin by its package, and answers over HTTP', async () => {
    const server = await spawnServer({ args: ['--config', 'plugboard.yaml'], cwd: elsewhere });
    try {
      const greet = await fetch(`${server.url}/api/greet`);
      expect(greet.status).toBe(200);
      expect(await greet.json()).toEqual({ greeting: 'hi from outside' });
      const users = await fetch(`${server.url}/api/users/1`);
      expect(users.status).toBe(404);
      expect(await users.json()).toMatchObject({ error: { code: 'user_not_found', message: "User '1' does not exist: check the id." } });
      expect(server.output()).toMatch(/greeter 1\.0\.0 +\d+ ms/);
      expect(server.output()).toMatch(/conversations 0\.1\.0 +\d+ ms/);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  });
});
