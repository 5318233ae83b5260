import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { definePlugin } from '@plugboard/plugin-api';
import { findProjectRoot, loadConfig } from './loadConfig.js';
import { plugboardErrorOf } from '../testing/errors.js';
import type { PluginDefinition } from '@plugboard/plugin-api';

/** Where @plugboard/core is: packages are also looked for from there. */
const CORE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const projectRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'project');

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'plugboard-load-'));
  await mkdir(path.join(dir, 'config'));
  file = path.join(dir, 'config', 'plugboard.yaml');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The server section of an empty config. */
const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 3000,
  adminMaxFailures: 10,
  adminFailureWindow: '5m',
  bodyLimit: 1_048_576,
  headersTimeout: '10s',
  requestTimeout: '30s',
  keepAliveTimeout: '5s',
  maxConnections: 1024,
};

async function load(yaml: string, env: NodeJS.ProcessEnv = {}) {
  await writeFile(file, yaml);
  return loadConfig({ path: file, projectRoot, env, coreVersion: '0.1.0' });
}


describe('loadConfig', () => {
  it('applies defaults, converts durations and resolves plugins in config order', async () => {
    const config = await load(
      [
        'server:',
        '  adminToken: ${PLUGBOARD_ADMIN_TOKEN:-}',
        'database:',
        '  url: ${DATABASE_URL:-}',
        'kernel:',
        '  stopTimeout: 1m',
        'plugins:',
        '  greeter:',
        '    greeting: hi',
        '    startTimeout: 2s',
        '  conversations:',
        '  batching:',
        '    enabled: false',
        '    onFailure: continue',
        '  gone:',
        '    enabled: false',
      ].join('\n'),
    );
    expect(config.path).toBe(file);
    expect(config.projectRoot).toBe(projectRoot);
    expect(config.server).toEqual({ ...SERVER_DEFAULTS, adminToken: undefined });
    expect(config.database).toEqual({
      url: undefined,
      embedded: { dataDir: path.join(projectRoot, '.plugboard', 'pgdata') },
      statementTimeoutMs: 5000,
      acquireTimeoutMs: 2000,
      poolMax: 10,
    });
    expect(config.logging).toEqual({ level: 'info' });
    expect(config.kernel).toEqual({
      startTimeoutMs: 30_000,
      stopTimeoutMs: 60_000,
      drainTimeoutMs: 10_000,
      watch: false,
      watchDebounceMs: 300,
    });
    expect([...config.plugins.keys()]).toEqual(['greeter', 'conversations', 'batching']);
    expect(config.unresolved).toEqual(['gone']);

    const greeter = config.plugins.get('greeter')!;
    expect(greeter).toMatchObject({ name: 'greeter', enabled: true, onFailure: 'abort', startTimeoutMs: 2000 });
    expect(greeter.stopTimeoutMs).toBeUndefined();
    expect(greeter.source).toBe(path.join(projectRoot, 'plugins', 'greeter'));
    expect(greeter.config).toEqual({ greeting: 'hi' });
    expect(config.plugins.get('conversations')!.config).toEqual({ cache: { max: 10_000, ttl: '5m' } });
    expect(config.plugins.get('batching')).toMatchObject({
      enabled: false,
      onFailure: 'continue',
      config: { maxBatchSize: 500, flushEvery: '1s' },
    });
  });

  it('keeps set environment values, and reads empty core settings as unset', async () => {
    const config = await load('server:\n  adminToken: ${PLUGBOARD_ADMIN_TOKEN:-}\n', { PLUGBOARD_ADMIN_TOKEN: 's3cret-admin-token' });
    expect(config.server.adminToken).toBe('s3cret-admin-token');
    const empty = await load('server:\n  port:\n  adminToken: "${PLUGBOARD_ADMIN_TOKEN:-}"\ndatabase:\n  url: ""\n');
    expect(empty.server).toEqual({ ...SERVER_DEFAULTS, adminToken: undefined });
    expect(empty.database.url).toBeUndefined();
  });

  it('reports every problem of the file in one error, each with its path', async () => {
    const err = await plugboardErrorOf(
      load(
        [
          'server:',
          '  port: "3000"',
          'colour: blue',
          'kernel:',
          '  stopTimeout: soon',
          'plugins:',
          '  conversations:',
          '    cache: { max: -1 }',
          '  batching:',
          '    maxBatchSize: lots',
          '    flushEvry: 1s',
          '  greeter:',
          '    onFailure: explode',
          '  future: {}',
          '  missing: {}',
          '  plain:',
          '    extra: true',
        ].join('\n'),
      ),
    );
    const problems = [
      'server.port: Invalid input: expected number, received string',
      "kernel.stopTimeout: Invalid duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h', at most 24 days",
      'plugins.greeter.onFailure: Invalid option: expected one of "abort"|"continue"',
      'colour: Unrecognized key',
      'plugins.conversations.cache.max: Too small: expected number to be >0',
      'plugins.batching.maxBatchSize: Invalid input: expected number, received string',
      'plugins.batching.flushEvry: Unrecognized key',
      "plugins.future: plugin 'future' 1.2.0 supports core '^2.0.0', but this is core 0.1.0. Upgrade the plugin or core.",
      `plugins.missing: Plugin 'missing' was not found: looked for '${path.join(projectRoot, 'plugins', 'missing')}' and the package '@plugboard/plugin-missing' in the node_modules folders of '${path.join(dir, 'config')}', '${projectRoot}' and '${CORE_DIR}', and of every folder above them. Set plugins.missing.from in the config, or install the package.`,
      'plugins.plain.extra: Unrecognized key',
    ];
    expect(err.kind).toBe('configInvalid');
    expect(err.details.problems).toEqual(problems);
    expect(err.message).toBe(`Config file '${file}' has 10 problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  });

  it('loads from paths, relative ones from the config folder', async () => {
    await mkdir(path.join(dir, 'local'));
    const config = await load(`plugins:\n  solo:\n    from: ${path.join(projectRoot, 'extra', 'solo.ts')}\n`);
    expect(config.plugins.get('solo')!.source).toBe(path.join(projectRoot, 'extra', 'solo.ts'));
    const err = await plugboardErrorOf(load('plugins:\n  solo:\n    from: ../local/solo.ts\n'));
    expect(err.details.problems).toEqual([
      `plugins.solo: Plugin 'solo' was not found: looked for '${path.join(dir, 'local', 'solo.ts')}'. Check plugins.solo.from in the config, or install the package.`,
    ]);
  });

  it('skips a disabled plugin that does not support this core, listing it as unresolved', async () => {
    const config = await load('plugins:\n  future:\n    enabled: false\n  plain: {}\n');
    expect([...config.plugins.keys()]).toEqual(['plain']);
    expect(config.unresolved).toEqual(['future']);
  });

  it('uses the resolver it is given and hands it the config folder and project root', async () => {
    const calls: unknown[] = [];
    await writeFile(path.join(dir, 'package.json'), '{}');
    await writeFile(file, 'plugins:\n  fake:\n    from: somewhere\n');
    const config = await loadConfig({
      path: file,
      env: {},
      coreVersion: '0.1.0',
      resolve: async (name, from, options) => {
        calls.push({ name, from, options });
        return { source: 'somewhere', definition: definePlugin({ name: 'fake', version: '0.1.0', core: '*', setup() {} }) };
      },
    });
    expect(calls).toEqual([{ name: 'fake', from: 'somewhere', options: { configDir: path.join(dir, 'config'), projectRoot: dir } }]);
    expect(config.projectRoot).toBe(dir);
    expect(config.plugins.get('fake')!.config).toEqual({});
  });

  it('reports a misspelt key of a plugin with a plain object schema, and keeps extra keys of a loose one', async () => {
    await writeFile(file, 'plugins:\n  strict:\n    greetng: hi\n  loose:\n    anything: 1\n');
    const definitions: Record<string, PluginDefinition<any>> = {
      strict: definePlugin({ name: 'strict', version: '1.0.0', core: '*', config: z.object({ greeting: z.string().default('hello') }), setup() {} }),
      loose: definePlugin({ name: 'loose', version: '1.0.0', core: '*', config: z.looseObject({}), setup() {} }),
    };
    const load = (yaml?: string) =>
      (yaml ? writeFile(file, yaml) : Promise.resolve()).then(() =>
        loadConfig({ path: file, env: {}, coreVersion: '0.1.0', resolve: async (name) => ({ source: name, definition: definitions[name]! }) }),
      );
    const err = await plugboardErrorOf(load());
    expect(err.details.problems).toEqual(['plugins.strict.greetng: Unrecognized key']);
    const config = await load('plugins:\n  loose:\n    anything: 1\n');
    expect(config.plugins.get('loose')!.config).toEqual({ anything: 1 });
  });
});

describe('findProjectRoot', () => {
  it('is the nearest folder at or above the config folder with a package.json', async () => {
    await writeFile(path.join(dir, 'package.json'), '{}');
    await mkdir(path.join(dir, 'config', 'prod'));
    expect(findProjectRoot(path.join(dir, 'config', 'prod'), '/somewhere/else')).toBe(dir);
    expect(findProjectRoot(dir, '/somewhere/else')).toBe(dir);
  });

  it('is the working directory for a config kept outside any package', async () => {
    expect(findProjectRoot(path.join(dir, 'config'), '/srv/app')).toBe('/srv/app');
  });

  it('puts the embedded data of a config outside config/ in the project it runs from', async () => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'plugboard-elsewhere-'));
    try {
      const config = path.join(elsewhere, 'plugboard.yaml');
      await writeFile(config, '');
      const loaded = await loadConfig({ path: config, env: {}, coreVersion: '0.1.0' });
      expect(loaded.projectRoot).toBe(process.cwd());
      expect(loaded.database.embedded.dataDir).toBe(path.join(process.cwd(), '.plugboard', 'pgdata'));
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});
