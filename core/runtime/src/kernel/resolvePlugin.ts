/**
 * Finds and imports a plugin named in the config. The rule, as core/README.md states it:
 * - `from` starting with `.` or `/` is a path (folder or file), relative to the config file's folder;
 * - any other `from` is a package name, found as Node finds one: in `node_modules` of the config
 *   file's folder and each folder above it, then of the project root and above, then of where
 *   `@plugboard/core` is installed and above (so the packages installed beside core are found
 *   wherever the config is);
 * - without `from`, the plugin is the folder `plugins/<name>` of the project root or, failing
 *   that, the package `@plugboard/plugin-<name>` (the standard plugins).
 * Importing the module is all that runs; `setup` runs later, when the kernel starts the plugin.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  /** Holds `plugins/`; its `node_modules` (and those above it) are searched after the config folder's. */
  projectRoot: string;
  /**
   * Searched last for packages, with the folders above it. Default: where `@plugboard/core` is
   * installed, so the packages installed with it (the standard plugins) are always found.
   */
  coreDir?: string;
}

/** This package's folder (its real path: a workspace link resolves to the checkout). */
const CORE_DIR = realpathSync(fileURLToPath(new URL('../..', import.meta.url)));

/** The package a standard plugin ships as, tried when the config gives no `from`. */
export function standardPackageOf(name: string): string {
  return `@plugboard/plugin-${name}`;
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
  const { source, entry, lookedAt, described } = locate(name, from, options);
  if (entry === undefined) {
    const hint = from === undefined ? `Set plugins.${name}.from in the config` : `Check plugins.${name}.from in the config`;
    throw new PlugboardError('pluginNotFound', `Plugin '${name}' was not found: looked for ${described}. ${hint}, or install the package.`, {
      details: { plugin: name, lookedAt },
    });
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
  /** Every path tried. */
  lookedAt: string[];
  /** What was tried, for the error message. */
  described: string;
}

function locate(name: string, from: string | undefined, options: ResolveOptions): Location {
  if (from === undefined) {
    const folder = path.join(options.projectRoot, 'plugins', name);
    const inFolder = folderEntry(folder);
    if (inFolder.entry !== undefined || isDirectory(folder)) return { source: folder, ...inFolder, described: quoteList(inFolder.lookedAt) };
    const pkg = locatePackage(standardPackageOf(name), options);
    if (pkg.entry !== undefined || pkg.found) return pkg;
    return { ...pkg, source: folder, lookedAt: [folder, ...pkg.lookedAt], described: `'${folder}' and ${pkg.described}` };
  }
  if (from.startsWith('.') || path.isAbsolute(from)) {
    const target = path.resolve(options.configDir, from);
    if (isFile(target)) return { source: target, entry: target, lookedAt: [target], described: `'${target}'` };
    const found = folderEntry(target);
    return { source: target, ...found, described: quoteList(found.lookedAt) };
  }
  return locatePackage(from, options);
}

/** A package, searched for in the node_modules of each root and the folders above it, each folder once. */
function locatePackage(pkg: string, options: ResolveOptions): Location & { found: boolean } {
  const roots = [...new Set([options.configDir, options.projectRoot, options.coreDir ?? CORE_DIR].map((r) => path.resolve(r)))];
  const seen = new Set<string>();
  const lookedAt: string[] = [];
  for (const dir of roots.flatMap(ancestors)) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    const folder = path.join(dir, 'node_modules', pkg);
    if (existsSync(path.join(folder, 'package.json'))) {
      const found = folderEntry(folder);
      return { source: pkg, entry: found.entry, lookedAt: [...lookedAt, ...found.lookedAt], described: quoteList(found.lookedAt), found: true };
    }
    lookedAt.push(folder);
  }
  return {
    source: pkg,
    lookedAt,
    described: `the package '${pkg}' in the node_modules folders of ${quoteList(roots)}, and of every folder above them`,
    found: false,
  };
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
