/**
 * The `core` range and `dependsOn` ranges, as a third-party plugin meets them (docs/plugins.md,
 * "Versioning"): a plugin built for another core is refused at load, saying which versions it
 * supports; a dependency in the wrong range is refused at start, saying which version is enabled.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { definePlugin, type PluginDefinition } from '@plugboard/plugin-api';
import { plugboardErrorOf } from '../testing/errors.js';
import { startTestKernel } from '../testing/startTestKernel.js';
import { CORE_VERSION } from '../version.js';
import { loadConfig } from './loadConfig.js';

const plugin = (name: string, version: string, core: string, dependsOn: Record<string, string> = {}): PluginDefinition =>
  definePlugin({ name, version, core, dependsOn, setup: () => undefined });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plugboard-compat-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function load(plugins: PluginDefinition[], sections: Record<string, Record<string, unknown>> = {}, coreVersion = CORE_VERSION) {
  const path = join(dir, 'plugboard.yaml');
  await writeFile(path, stringify({ plugins: Object.fromEntries(plugins.map((p) => [p.name, sections[p.name] ?? {}])) }));
  const byName = new Map(plugins.map((p) => [p.name, p]));
  return loadConfig({ path, projectRoot: dir, coreVersion, env: {}, resolve: async (name) => ({ definition: byName.get(name)!, source: `test:${name}` }) });
}

describe('the core range', () => {
  it('refuses an enabled plugin built for another major, naming the versions it supports and this core', async () => {
    const err = await plugboardErrorOf(load([plugin('future', '3.0.0', '^1.0.0')], {}, '0.1.0'));
    expect(err.kind).toBe('configInvalid');
    expect(err.message).toContain("plugins.future: plugin 'future' 3.0.0 supports core '^1.0.0', but this is core 0.1.0. Upgrade the plugin or core.");
  });

  it('treats a 0.x minor as a major, as npm\'s caret does: ^0.2.0 is not for core 0.1.0, ^0.1.0 is not for 0.2.0', async () => {
    const newer = await plugboardErrorOf(load([plugin('newer', '1.0.0', '^0.2.0')], {}, '0.1.0'));
    expect(newer.message).toContain("plugins.newer: plugin 'newer' 1.0.0 supports core '^0.2.0', but this is core 0.1.0. Upgrade the plugin or core.");
    const older = await plugboardErrorOf(load([plugin('older', '1.0.0', '^0.1.0')], {}, '0.2.0'));
    expect(older.message).toContain("plugins.older: plugin 'older' 1.0.0 supports core '^0.1.0', but this is core 0.2.0. Upgrade the plugin or core.");
  });

  it('loads a plugin whose range includes this core, and reports every refused plugin at once', async () => {
    const loaded = await load([plugin('wide', '1.0.0', '>=0.1.0 <2'), plugin('patch', '1.0.0', '~0.1.0')], {}, '0.1.5');
    expect([...loaded.plugins.keys()]).toEqual(['wide', 'patch']);
    const err = await plugboardErrorOf(load([plugin('a', '1.0.0', '^2.0.0'), plugin('b', '1.0.0', '^3.0.0')], {}, '0.1.0'));
    expect(err.message).toContain("plugins.a: plugin 'a' 1.0.0 supports core '^2.0.0'");
    expect(err.message).toContain("plugins.b: plugin 'b' 1.0.0 supports core '^3.0.0'");
  });

  it('skips a disabled plugin built for another core instead of refusing the config', async () => {
    const loaded = await load([plugin('fine', '1.0.0', `^${CORE_VERSION}`), plugin('old', '1.0.0', '^9.0.0')], { old: { enabled: false } });
    expect([...loaded.plugins.keys()]).toEqual(['fine']);
    expect(loaded.unresolved).toEqual(['old']);
  });
});

describe('dependsOn ranges', () => {
  it('refuses to start a plugin whose dependency is enabled in a version outside its range', async () => {
    const err = await plugboardErrorOf(
      startTestKernel({ plugins: [plugin('base', '1.4.0', `^${CORE_VERSION}`), plugin('addon', '1.0.0', `^${CORE_VERSION}`, { base: '^2.0.0' })] }),
    );
    expect(err.kind).toBe('versionMismatch');
    expect(err.message).toContain(
      "Plugin 'addon' needs plugin 'base' '^2.0.0', but version 1.4.0 is enabled. Install a version of 'base' in that range, or a version of 'addon' that works with 1.4.0.",
    );
  });

  it('starts it when the dependency is in range', async () => {
    const app = await startTestKernel({ plugins: [plugin('base', '2.1.0', `^${CORE_VERSION}`), plugin('addon', '1.0.0', `^${CORE_VERSION}`, { base: '^2.0.0' })] });
    try {
      expect(app.kernel.plugins().map((p) => [p.name, p.state])).toEqual([['base', 'started'], ['addon', 'started']]);
    } finally {
      await app.stop();
    }
  });
});
