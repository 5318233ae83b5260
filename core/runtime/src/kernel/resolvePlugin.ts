/**
 * Finds and imports a plugin named in the config: a folder under `<projectRoot>/plugins/`, a path
 * given by `from` (folder or file, relative to the config file's folder), or an npm package.
 * Importing the module is all that runs; `setup` runs later, when the kernel starts the plugin.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PlugboardError } from '@plugboard/plugin-api';
import { quoteList } from '@plugboard/plugin-api/internal';
import { isPluginDefinition } from '@plugboard/plugin-api';
import type { PluginDefinition } from '@plugboard/plugin-api';

export interface ResolvedPlugin {
  definition: PluginDefinition;
  /** Where it came from: the folder or file (absolute), or the npm package name. */
  source: string;
}

export interface ResolveOptions {
  /** The config file's folder; relative `from` paths start here. */
  configDir: string;
  /** Holds `plugins/` and the `node_modules` that npm plugins are found from. */
  projectRoot: string;
}

/** Entry files tried in a plugin folder whose package.json names none. */
const ENTRY_FILES = ['src/index.ts', 'index.ts', 'index.js'];

/**
 * @throws PlugboardError `pluginNotFound` when nothing is at the places searched; `pluginInvalid`
 *   when the module throws on import, does not default-export `definePlugin(...)`, or defines a
 *   plugin of another name
 *
 * @example
 * const { definition } = await resolvePlugin('batching', undefined, { configDir, projectRoot });
 */
export async function resolvePlugin(name: string, from: string | undefined, options: ResolveOptions): Promise<ResolvedPlugin> {
  const { source, entry, lookedAt } = locate(name, from, options);
  if (entry === undefined) {
    const hint = from === undefined ? `Set plugins.${name}.from in the config` : `Check plugins.${name}.from in the config`;
    throw new PlugboardError(
      'pluginNotFound',
      `Plugin '${name}' was not found: looked for ${quoteList(lookedAt)}. ${hint}, or install the package.`,
      { details: { plugin: name, lookedAt } },
    );
  }

  let mod: { default?: unknown };
  try {
    // Like Node's own resolution: a symlinked package (a workspace) imports from where it really is.
    mod = (await import(pathToFileURL(realpathSync(entry)).href)) as { default?: unknown };
  } catch (err) {
    throw new PlugboardError(
      'pluginInvalid',
      `Plugin '${name}' could not be imported from '${entry}': ${err instanceof Error ? err.message : String(err)}`,
      { cause: err, details: { plugin: name, source } },
    );
  }
  const definition = mod.default;
  if (!isPluginDefinition(definition)) {
    throw new PlugboardError('pluginInvalid', `Plugin module '${source}' does not default-export definePlugin({...}).`, {
      details: { plugin: name, source },
    });
  }
  if (definition.name !== name) {
    throw new PlugboardError(
      'pluginInvalid',
      `Plugin module '${source}' defines plugin '${definition.name}', but the config names it '${name}'. ` +
        `Rename plugins.${name} to plugins.${definition.name} in the config, or point plugins.${name}.from at plugin '${name}'.`,
      { details: { plugin: name, defined: definition.name, source } },
    );
  }
  return { definition, source };
}

interface Location {
  source: string;
  /** The module to import; undefined when not found. */
  entry?: string;
  lookedAt: string[];
}

function locate(name: string, from: string | undefined, options: ResolveOptions): Location {
  if (from === undefined) {
    const folder = path.join(options.projectRoot, 'plugins', name);
    return { source: folder, ...folderEntry(folder) };
  }
  if (from.startsWith('.') || path.isAbsolute(from)) {
    const target = path.resolve(options.configDir, from);
    if (isFile(target)) return { source: target, entry: target, lookedAt: [target] };
    return { source: target, ...folderEntry(target) };
  }
  const lookedAt: string[] = [];
  for (const dir of ancestors(options.projectRoot)) {
    const folder = path.join(dir, 'node_modules', from);
    if (existsSync(path.join(folder, 'package.json'))) {
      const found = folderEntry(folder);
      return { source: from, entry: found.entry, lookedAt: [...lookedAt, ...found.lookedAt] };
    }
    lookedAt.push(folder);
  }
  return { source: from, lookedAt };
}

/** The entry module of a plugin folder, and what was tried. */
function folderEntry(folder: string): { entry?: string; lookedAt: string[] } {
  if (!isDirectory(folder)) return { lookedAt: [folder] };
  const manifest = path.join(folder, 'package.json');
  if (existsSync(manifest)) {
    const declared = declaredEntry(manifest);
    if (declared !== undefined) {
      const entry = path.resolve(folder, declared);
      return isFile(entry) ? { entry, lookedAt: [entry] } : { lookedAt: [entry] };
    }
  }
  const candidates = ENTRY_FILES.map((f) => path.join(folder, f));
  const entry = candidates.find(isFile);
  return entry === undefined ? { lookedAt: candidates } : { entry, lookedAt: [entry] };
}

/** `exports['.']` (a string, or its `import` / `default` condition), else `main`. */
function declaredEntry(manifest: string): string | undefined {
  let pkg: { exports?: unknown; main?: unknown };
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8')) as typeof pkg;
  } catch (err) {
    throw new PlugboardError('pluginInvalid', `Plugin manifest '${manifest}' is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let exported = pkg.exports;
  if (isRecord(exported) && Object.keys(exported).some((k) => k.startsWith('.'))) exported = exported['.'];
  const target = pickCondition(exported);
  if (target !== undefined) return target;
  return typeof pkg.main === 'string' ? pkg.main : undefined;
}

function pickCondition(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return undefined;
  for (const condition of ['import', 'node', 'default']) {
    const target = pickCondition(value[condition]);
    if (target !== undefined) return target;
  }
  return undefined;
}

function ancestors(dir: string): string[] {
  const dirs = [path.resolve(dir)];
  for (let parent = path.dirname(dirs[0]!); parent !== dirs[dirs.length - 1]; parent = path.dirname(parent)) dirs.push(parent);
  return dirs;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFile(p: string): boolean {
  return statOf(p)?.isFile() ?? false;
}

function isDirectory(p: string): boolean {
  return statOf(p)?.isDirectory() ?? false;
}

/** The stat of `p`, or undefined when there is nothing there (also when a parent is a file: ENOTDIR). */
function statOf(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
