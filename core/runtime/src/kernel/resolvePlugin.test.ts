import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePlugin } from './resolvePlugin.js';
import { plugboardErrorOf } from '../testing/errors.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const projectRoot = path.join(fixtures, 'project');
/** Where @plugboard/core is: packages are also looked for from there. */
const CORE_DIR = path.resolve(fixtures, '..', '..', '..');
const configDir = path.join(projectRoot, 'config');
const options = { configDir, projectRoot };


describe('resolvePlugin', () => {
  it("loads <projectRoot>/plugins/<name> through its package.json exports['.'].import", async () => {
    const resolved = await resolvePlugin('greeter', undefined, options);
    expect(resolved.source).toBe(path.join(projectRoot, 'plugins', 'greeter'));
    expect(resolved.definition.name).toBe('greeter');
    expect(resolved.definition.version).toBe('1.0.0');
  });

  it('falls back to index.ts in a folder without package.json', async () => {
    const resolved = await resolvePlugin('plain', undefined, options);
    expect(resolved.definition.name).toBe('plain');
  });

  it('loads a folder or a single file given by from, relative to the config folder', async () => {
    const folder = await resolvePlugin('plain', '../plugins/plain', options);
    expect(folder.source).toBe(path.join(projectRoot, 'plugins', 'plain'));
    const file = await resolvePlugin('solo', '../extra/solo.ts', options);
    expect(file.source).toBe(path.join(projectRoot, 'extra', 'solo.ts'));
    expect(file.definition.version).toBe('0.3.0');
  });

  describe('from an npm package', () => {
    let tmp: string;
    beforeAll(async () => {
      tmp = await mkdtemp(path.join(tmpdir(), 'plugboard-resolve-'));
      await mkdir(path.join(tmp, 'node_modules', '@acme'), { recursive: true });
      await mkdir(path.join(tmp, 'app'));
      await symlink(path.join(fixtures, 'packages', 'hello'), path.join(tmp, 'node_modules', '@acme', 'plugboard-hello'));
    });
    afterAll(async () => {
      await rm(tmp, { recursive: true, force: true });
    });

    it('finds it in a node_modules folder above the project root', async () => {
      const app = path.join(tmp, 'app');
      const resolved = await resolvePlugin('hello', '@acme/plugboard-hello', { configDir: app, projectRoot: app });
      expect(resolved.source).toBe('@acme/plugboard-hello');
      expect(resolved.definition.version).toBe('2.0.0');
    });

    it('names the folders whose node_modules it searched, upwards, when the package is missing', async () => {
      const app = path.join(tmp, 'app');
      const err = await plugboardErrorOf(resolvePlugin('nope', '@acme/nope', { configDir: app, projectRoot: app, coreDir: CORE_DIR }));
      const searched: string[] = [];
      for (const start of [app, CORE_DIR]) {
        for (let dir = start; ; dir = path.dirname(dir)) {
          const folder = path.join(dir, 'node_modules', '@acme', 'nope');
          if (!searched.includes(folder)) searched.push(folder);
          if (path.dirname(dir) === dir) break;
        }
      }
      expect(err.kind).toBe('pluginNotFound');
      expect(err.message).toBe(
        `Plugin 'nope' was not found: looked for the package '@acme/nope' in the node_modules folders of '${app}' and '${CORE_DIR}', and of every folder above them. Check plugins.nope.from in the config, or install the package.`,
      );
      expect(err.details).toEqual({ plugin: 'nope', lookedAt: searched });
    });

    it('finds a package from the config folder upwards, then from the project root, then from where core is installed', async () => {
      const elsewhere = await mkdtemp(path.join(tmpdir(), 'plugboard-elsewhere-'));
      try {
        const fromConfig = await resolvePlugin('hello', '@acme/plugboard-hello', { configDir: path.join(tmp, 'app'), projectRoot: elsewhere });
        expect(fromConfig.definition.version).toBe('2.0.0');
        const fromProject = await resolvePlugin('hello', '@acme/plugboard-hello', { configDir: elsewhere, projectRoot: path.join(tmp, 'app') });
        expect(fromProject.definition.version).toBe('2.0.0');
        const fromCore = await resolvePlugin('hello', '@acme/plugboard-hello', { configDir: elsewhere, projectRoot: elsewhere, coreDir: path.join(tmp, 'app') });
        expect(fromCore.definition.version).toBe('2.0.0');
      } finally {
        await rm(elsewhere, { recursive: true, force: true });
      }
    });
  });

  it('loads a standard plugin without from as its package @plugboard/plugin-<name>, from wherever the config is', async () => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'plugboard-elsewhere-'));
    try {
      const resolved = await resolvePlugin('conversations', undefined, { configDir: elsewhere, projectRoot: elsewhere });
      expect(resolved.source).toBe('@plugboard/plugin-conversations');
      expect(resolved.definition.name).toBe('conversations');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('says where it looked for a plugin folder that does not exist', async () => {
    const err = await plugboardErrorOf(resolvePlugin('missing', undefined, options));
    expect(err.kind).toBe('pluginNotFound');
    expect(err.message).toBe(
      `Plugin 'missing' was not found: looked for '${path.join(projectRoot, 'plugins', 'missing')}' and the package '@plugboard/plugin-missing' in the node_modules folders of '${configDir}', '${projectRoot}' and '${CORE_DIR}', and of every folder above them. Set plugins.missing.from in the config, or install the package.`,
    );
  });

  it('reports a from path that runs through a file as not found, not as a crash', async () => {
    const err = await plugboardErrorOf(resolvePlugin('solo', '../extra/solo.ts/sub', options));
    expect(err.kind).toBe('pluginNotFound');
    expect(err.message).toContain("Plugin 'solo' was not found: looked for ");
  });

  it('lists the entry files it tried in a folder that has none', async () => {
    const folder = path.join(projectRoot, 'plugins', 'empty');
    const err = await plugboardErrorOf(resolvePlugin('empty', undefined, options));
    expect(err.kind).toBe('pluginNotFound');
    expect(err.message).toBe(
      `Plugin 'empty' was not found: looked for '${folder}/src/index.ts', '${folder}/index.ts' and '${folder}/index.js'. Set plugins.empty.from in the config, or install the package.`,
    );
  });

  it('reports a module that throws on import, keeping the cause', async () => {
    const err = await plugboardErrorOf(resolvePlugin('throws', undefined, options));
    expect(err.kind).toBe('pluginInvalid');
    expect(err.message).toBe(
      `Plugin 'throws' could not be imported from '${path.join(projectRoot, 'plugins', 'throws', 'index.ts')}': the native driver is missing`,
    );
    expect((err.cause as Error).message).toBe('the native driver is missing');
  });

  it('rejects a module whose default export was not made by definePlugin', async () => {
    const err = await plugboardErrorOf(resolvePlugin('not-a-plugin', undefined, options));
    expect(err.kind).toBe('pluginInvalid');
    expect(err.message).toBe(
      `Plugin module '${path.join(projectRoot, 'plugins', 'not-a-plugin')}' does not default-export definePlugin({...}).`,
    );
  });

  it('rejects a plugin whose name differs from its config key', async () => {
    const err = await plugboardErrorOf(resolvePlugin('greeter', '../plugins/misnamed', options));
    expect(err.kind).toBe('pluginInvalid');
    expect(err.message).toBe(
      `Plugin module '${path.join(projectRoot, 'plugins', 'misnamed')}' defines plugin 'greeter-two', but the config names it 'greeter'. Rename plugins.greeter to plugins.greeter-two in the config, or point plugins.greeter.from at plugin 'greeter'.`,
    );
  });
});
