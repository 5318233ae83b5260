import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plugboardErrorOf } from '../testing/errors.js';
import { newPlugin, nextSteps, tarballName } from './newPlugin.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'plugboard-new-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('newPlugin', () => {
  it('writes a package named after the plugin, depending on the Plugboard packages by version', async () => {
    const result = await newPlugin({ name: 'token-quotas', cwd: root, coreVersion: '0.1.0' });
    expect(result.dir).toBe(join(root, 'token-quotas'));
    expect(result.files).toEqual(['package.json', 'tsconfig.json', 'vitest.config.ts', 'src/index.ts', 'src/index.test.ts', 'plugboard.yaml', 'README.md', '.gitignore']);
    const pkg = JSON.parse(await readFile(join(result.dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg['name']).toBe('plugboard-plugin-token-quotas');
    expect(pkg['dependencies']?.['@plugboard/plugin-api']).toBe('^0.1.0');
    expect(pkg['devDependencies']?.['@plugboard/core']).toBe('^0.1.0');
    const source = await readFile(join(result.dir, 'src/index.ts'), 'utf8');
    expect(source).toContain("export const tokenQuotasRef = serviceRef<TokenQuotasService>('token-quotas.service'");
    expect(source).toContain("core: '^0.1.0'");
    expect(JSON.parse(await readFile(join(result.dir, 'tsconfig.json'), 'utf8'))).toMatchObject({ compilerOptions: { experimentalDecorators: true } });
    expect(nextSteps(result, true, root)).toContain('  cd token-quotas\n');
  });

  it('depends on the tarballs of --packages through file: specs', async () => {
    for (const pkg of ['@plugboard/plugin-api', '@plugboard/core']) await writeFile(join(root, tarballName(pkg, '0.1.0')), '');
    const result = await newPlugin({ name: 'demo', dir: 'elsewhere/demo', packages: '.', cwd: root, coreVersion: '0.1.0' });
    const pkg = JSON.parse(await readFile(join(result.dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg['dependencies']?.['@plugboard/plugin-api']).toBe(`file:${join(root, 'plugboard-plugin-api-0.1.0.tgz')}`);
    expect(pkg['devDependencies']?.['@plugboard/core']).toBe(`file:${join(root, 'plugboard-core-0.1.0.tgz')}`);
  });

  it('refuses a bad name, a folder that is not empty, and --packages without the tarballs, saying what to do', async () => {
    expect((await plugboardErrorOf(newPlugin({ name: 'My_Plugin', cwd: root, coreVersion: '0.1.0' }))).message).toBe(
      "'My_Plugin' is not a plugin name: use lower-case letters and digits, words joined by single dashes, starting with a letter (such as 'greeter' or 'token-quotas').",
    );
    await writeFile(join(root, 'taken'), '');
    expect((await plugboardErrorOf(newPlugin({ name: 'demo', dir: '.', cwd: root, coreVersion: '0.1.0' }))).message).toBe(
      `'${root}' exists and is not empty: pick a new folder with --dir, or empty this one.`,
    );
    await writeFile(join(root, 'plugboard-core-0.1.0.tgz'), '');
    const missing = await plugboardErrorOf(newPlugin({ name: 'demo', packages: '.', cwd: root, coreVersion: '0.1.0' }));
    expect(missing.kind).toBe('invalidArgument');
    expect(missing.message).toBe(
      `--packages '${root}' lacks 'plugboard-plugin-api-0.1.0.tgz'. Make them in a checkout of Plugboard with: npm pack -w core/plugin-api -w core/runtime --pack-destination '${root}'`,
    );
  });
});
