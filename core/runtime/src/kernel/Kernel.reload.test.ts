import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { plugboardErrorOf } from '../testing/errors.js';
import { Kernel } from './Kernel.js';
import { loadConfig } from './loadConfig.js';

/**
 * Reloads of a real config file, read by the real loader, into a real kernel running the fixture
 * project's plugins: what an operator's edit (or an editor's half-written save) does.
 */
const projectRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'project');
const RUNNING = ['plugins:', '  conversations:', '    cache:', '      max: 10', '  plain:', ''].join('\n');

let dir: string;
let file: string;
let kernel: Kernel;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'plugboard-reload-'));
  await mkdir(path.join(dir, 'config'));
  file = path.join(dir, 'config', 'plugboard.yaml');
  await writeFile(file, RUNNING);
  const load = () => loadConfig({ path: file, projectRoot, env: {}, coreVersion: '0.1.0' });
  kernel = new Kernel({ config: await load(), logger: pino({ level: 'silent' }), loadConfig: load });
  await kernel.start();
});

afterEach(async () => {
  await kernel.stop();
  await rm(dir, { recursive: true, force: true });
});

function states(): [string, string][] {
  return kernel.plugins().map((p) => [p.name, p.state]);
}

describe('Kernel.reload of a file that would stop plugins by accident', () => {
  const missing = (name: string) =>
    `plugins.${name}: the section of running plugin '${name}' is missing, so applying the file would stop it. Put the section back, or set plugins.${name}.enabled: false to stop it.`;
  const none =
    'plugins: the file enables no plugin, so the server would serve no request. An empty, truncated or half-saved file looks like this; if no plugin should run, say so with plugins.<name>.enabled: false.';

  test.each([
    ['an empty file', ''],
    ['a comment-only file', '# plugins:\n#   conversations: {}\n'],
    ['a file without plugins:', 'server:\n  port: 0\nlogging:\n  level: silent\n'],
  ])('refuses %s, naming every running section, and keeps everything running', async (_what, text) => {
    await writeFile(file, text);
    const err = await plugboardErrorOf(kernel.reload());
    const problems = [missing('conversations'), missing('plain'), none];
    expect(err.kind).toBe('configInvalid');
    expect(err.message).toBe(
      `Config file '${file}' was not applied, and the running config is kept:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    expect(err.details).toEqual({ path: file, problems });
    expect(states()).toEqual([
      ['conversations', 'started'],
      ['plain', 'started'],
    ]);
    expect(kernel.ready()).toBe(true);
  });

  test("refuses a file that drops a core section the running file has, and accepts it written as '{}'", async () => {
    await writeFile(file, `server:\n  adminToken: an-admin-token-of-some-length\n${RUNNING}`);
    expect(await kernel.reload()).toMatchObject({ failed: [], needsRestart: ['server.adminToken'] });
    await writeFile(file, RUNNING);
    const err = await plugboardErrorOf(kernel.reload());
    expect(err.message).toBe(
      `Config file '${file}' was not applied, and the running config is kept:\n  - server: the running config's 'server' section is missing from the file, so its settings would go back to their defaults. Put the section back, or write 'server: {}' to mean the defaults.`,
    );
    expect(kernel.config.server.adminToken).toBe('an-admin-token-of-some-length');
    await writeFile(file, `server: {}\n${RUNNING}`);
    expect(await kernel.reload()).toMatchObject({ failed: [], needsRestart: ['server.adminToken'] });
  });

  test("refuses a file that drops a running plugin's section, naming it and the fix", async () => {
    await writeFile(file, 'plugins:\n  plain:\n');
    const err = await plugboardErrorOf(kernel.reload());
    expect(err.message).toBe(`Config file '${file}' was not applied, and the running config is kept:\n  - ${missing('conversations')}`);
    expect(states()).toEqual([
      ['conversations', 'started'],
      ['plain', 'started'],
    ]);
  });

  test('accepts stopping that plugin when the file says enabled: false', async () => {
    await writeFile(file, 'plugins:\n  conversations:\n    enabled: false\n  plain:\n');
    const report = await kernel.reload();
    expect(report).toEqual({ started: [], stopped: ['conversations'], restarted: [], failed: [] });
    expect(states()).toEqual([
      ['conversations', 'disabled'],
      ['plain', 'started'],
    ]);
  });

  test('accepts a file whose every section says enabled: false', async () => {
    await writeFile(file, 'plugins:\n  conversations:\n    enabled: false\n  plain:\n    enabled: false\n');
    const report = await kernel.reload();
    expect(report).toEqual({ started: [], stopped: ['plain', 'conversations'], restarted: [], failed: [] });
  });
});
