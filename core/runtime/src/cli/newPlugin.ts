/**
 * `plugboard new plugin <name> [--dir <folder>] [--packages <folder>]`: writes a plugin package
 * (package.json, tsconfig.json, vitest.config.ts, src/index.ts, a test, plugboard.yaml, README)
 * whose test passes and which its plugboard.yaml loads as it is.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { PlugboardError } from '@plugboard/plugin-api';
import { pluginFiles } from './pluginTemplate.js';

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export interface NewPluginOptions {
  name: string;
  /** Folder to create. Default: `<cwd>/<name>`. */
  dir?: string;
  /**
   * A folder holding the `npm pack` tarballs of @plugboard/plugin-api and @plugboard/core: the
   * new package depends on them through `file:` specs. Without it, on `^<coreVersion>` (for when
   * the packages come from a registry).
   */
  packages?: string;
  coreVersion: string;
  cwd?: string;
}

export interface NewPluginResult {
  dir: string;
  files: string[];
}

/** The tarball `npm pack` makes of a package: `@plugboard/plugin-api` 0.1.0 -> `plugboard-plugin-api-0.1.0.tgz`. */
export function tarballName(pkg: string, version: string): string {
  return `${pkg.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/**
 * Writes the package. Refuses a bad name, a folder that exists and is not empty, and a
 * `packages` folder without both tarballs, saying what to do.
 *
 * @example
 * await newPlugin({ name: 'greeter', dir: '../greeter', packages: '../packs', coreVersion: CORE_VERSION });
 */
export async function newPlugin(options: NewPluginOptions): Promise<NewPluginResult> {
  const { name, coreVersion } = options;
  const cwd = options.cwd ?? process.cwd();
  if (!NAME.test(name)) {
    throw new PlugboardError(
      'invalidArgument',
      `'${name}' is not a plugin name: use lower-case letters and digits, words joined by single dashes, starting with a letter (such as 'greeter' or 'token-quotas').`,
    );
  }
  const dir = resolve(cwd, options.dir ?? name);
  if (existsSync(dir) && (await readdir(dir)).length > 0) {
    throw new PlugboardError('invalidArgument', `'${dir}' exists and is not empty: pick a new folder with --dir, or empty this one.`);
  }
  const specs = options.packages === undefined ? undefined : tarballSpecs(resolve(cwd, options.packages), coreVersion);
  const files = pluginFiles({
    name,
    coreVersion,
    pluginApiSpec: specs?.pluginApi ?? `^${coreVersion}`,
    coreSpec: specs?.core ?? `^${coreVersion}`,
  });
  for (const [path, text] of Object.entries(files)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text, { flag: 'wx' });
  }
  return { dir, files: Object.keys(files) };
}

function tarballSpecs(folder: string, version: string): { pluginApi: string; core: string } {
  const pluginApi = join(folder, tarballName('@plugboard/plugin-api', version));
  const core = join(folder, tarballName('@plugboard/core', version));
  const missing = [pluginApi, core].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new PlugboardError(
      'invalidArgument',
      `--packages '${folder}' lacks ${missing.map((f) => `'${relative(folder, f)}'`).join(' and ')}. Make them in a checkout of Plugboard with: npm pack -w core/plugin-api -w core/runtime --pack-destination '${folder}'`,
    );
  }
  return { pluginApi: `file:${pluginApi}`, core: `file:${core}` };
}

/** What to do next, printed after the files are written. */
export function nextSteps(result: NewPluginResult, fromRegistry: boolean, cwd = process.cwd()): string {
  const near = relative(cwd, result.dir);
  const where = near === '' ? '.' : near.startsWith('..') ? result.dir : near;
  const lines = [
    `Created the plugin package in '${result.dir}':`,
    ...result.files.map((f) => `  ${f}`),
    '',
    'Next:',
    `  cd ${where}`,
    '  npm install',
    '  npm test',
    '  npm start    # plugboard start --config plugboard.yaml',
  ];
  if (fromRegistry) {
    lines.push(
      '',
      'It depends on @plugboard/plugin-api and @plugboard/core by version. While they are not on a registry you use,',
      'make their tarballs in a checkout of Plugboard (npm pack -w core/plugin-api -w core/runtime --pack-destination <folder>)',
      'and run this command again with --packages <folder>.',
    );
  }
  return `${lines.join('\n')}\n`;
}
