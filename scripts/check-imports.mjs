#!/usr/bin/env node
/**
 * Proves the house rules on imports (`npm run cycles`, part of `npm test`):
 * 1. no import cycle anywhere (madge, type-only imports included);
 * 2. core imports no plugin;
 * 3. a plugin reaches another plugin only through its public entry (`@plugboard/plugin-x`),
 *    never through `@plugboard/plugin-x/src/...` or a relative path into its folder;
 * 4. a plugin imports the plugin API (`@plugboard/plugin-api`), never the runtime
 *    (`@plugboard/core`, or a relative path into `core/runtime`); its tests (`*.test.ts`,
 *    `testSupport.ts`, `__fixtures__/`, `vitest.config.ts`) may use the runtime's harness,
 *    `@plugboard/core/testing` and its vitest preset `@plugboard/core/testing/vitest`.
 *
 * Usage: node scripts/check-imports.mjs [dir ...]
 * Without arguments it checks core, plugins, dashboard and examples of this repository (those that
 * exist). A directory is read by its name: `core` is the kernel, `plugins` and `examples` hold one
 * plugin per folder, `dashboard` is a plugin; any other directory is checked for cycles only.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { importSpecifiers } from './importScan.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_DIRS = ['core', 'plugins', 'dashboard', 'examples'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.plugboard']);
/** madge resolves through TypeScript; NodeNext maps `./a.js` to `./a.ts` like tsc does. */
const TS_CONFIG = { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: false } };
const PLUGIN_PACKAGE = /^@plugboard\/(?:plugin-(?!api(?:\/|$))[^/]+|dashboard)(?=\/|$)/;
/** The runtime package; plugins import `@plugboard/plugin-api` instead. */
const RUNTIME_PACKAGE = '@plugboard/core';
const RUNTIME_TESTING = '@plugboard/core/testing';
/** Files of a plugin that run only under the test runner, where the runtime's harness is allowed. */
const isTestFile = (file) => /\.test\.ts$|(^|[\\/])(testSupport|vitest\.config)\.ts$|[\\/]__fixtures__[\\/]/.test(file);

const isSourceFile = (file) => file.endsWith('.ts') && !file.endsWith('.d.ts');

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (entry.isFile() && isSourceFile(entry.name)) files.push(full);
  }
  return files;
}

function packageName(dir) {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name;
  } catch {
    return undefined;
  }
}

/** The kernel's directory and every plugin's directory (with its package name), by layout. */
function layoutOf(dirs) {
  const layout = { core: [], plugins: [] };
  const addPlugin = (dir) => layout.plugins.push({ dir, label: path.basename(dir), name: packageName(dir) });
  const addFoldersOf = (parent) => {
    if (!existsSync(parent)) return;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) addPlugin(path.join(parent, entry.name));
    }
  };
  for (const dir of dirs) {
    const base = path.basename(dir);
    if (base === 'core') layout.core.push(dir);
    else if (base === 'dashboard') addPlugin(dir);
    else if (base === 'plugins' || base === 'examples') addFoldersOf(dir);
  }
  // Plugins beside core count even when only core is checked: core must not reach into them.
  for (const coreDir of layout.core) {
    const parent = path.dirname(coreDir);
    if (!dirs.includes(path.join(parent, 'plugins'))) addFoldersOf(path.join(parent, 'plugins'));
    if (!dirs.includes(path.join(parent, 'examples'))) addFoldersOf(path.join(parent, 'examples'));
    const dashboard = path.join(parent, 'dashboard');
    if (!dirs.includes(dashboard) && existsSync(dashboard)) addPlugin(dashboard);
  }
  return layout;
}

const inside = (file, dir) => file === dir || file.startsWith(dir + path.sep);

/** The file a relative specifier names, as tsc would find it; undefined when there is none. */
function resolveRelative(from, specifier) {
  const target = path.resolve(path.dirname(from), specifier);
  const stem = target.replace(/\.(?:m|c)?js$/, '');
  const candidates = [target, `${stem}.ts`, `${stem}.mts`, `${stem}.tsx`, `${stem}.d.ts`, path.join(target, 'index.ts')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** Problems with the imports of one file under the layout rules (2 and 3). */
function ruleProblems(file, layout, show) {
  const inCore = layout.core.some((dir) => inside(file, dir));
  const ownPlugin = layout.plugins.find((plugin) => inside(file, plugin.dir));
  const pluginNames = new Set(layout.plugins.map((plugin) => plugin.name).filter(Boolean));
  const problems = [];
  for (const { specifier, line } of importSpecifiers(readFileSync(file, 'utf8'))) {
    const where = `${show(file)}:${line}`;
    if (specifier.startsWith('.')) {
      const target = resolveRelative(file, specifier);
      if (!target) {
        problems.push(`${where} imports '${specifier}', which names no file: fix the path (imports of .ts files end in '.js').`);
        continue;
      }
      const targetPlugin = layout.plugins.find((plugin) => inside(target, plugin.dir));
      const intoRuntime = layout.core.some((dir) => inside(target, path.join(dir, 'runtime')));
      if (ownPlugin && intoRuntime) {
        problems.push(`${where} imports '${specifier}' from core's runtime: a plugin imports '@plugboard/plugin-api' only.`);
      } else if (inCore && targetPlugin) {
        problems.push(`${where} imports '${specifier}' from plugin '${targetPlugin.label}': core must not import any plugin.`);
      } else if (ownPlugin && targetPlugin && targetPlugin !== ownPlugin) {
        const entry = targetPlugin.name ? `'${targetPlugin.name}'` : 'its package name';
        problems.push(
          `${where} imports '${specifier}' from inside plugin '${targetPlugin.label}': import ${entry} (its public entry) instead.`,
        );
      }
      continue;
    }
    const packageMatch = /^(@[^/]+\/[^/]+|[^/]+)(\/.*)?$/.exec(specifier);
    const pkg = packageMatch?.[1] ?? specifier;
    if (ownPlugin && pkg === RUNTIME_PACKAGE && !((specifier === RUNTIME_TESTING || specifier === `${RUNTIME_TESTING}/vitest`) && isTestFile(file))) {
      problems.push(
        isTestFile(file)
          ? `${where} imports '${specifier}': a plugin's tests use the runtime only through '${RUNTIME_TESTING}'.`
          : `${where} imports '${specifier}', the runtime: a plugin imports '@plugboard/plugin-api' (tests may use '${RUNTIME_TESTING}').`,
      );
      continue;
    }
    const isPlugin = PLUGIN_PACKAGE.test(specifier) || pluginNames.has(pkg);
    if (!isPlugin) continue;
    if (inCore) {
      problems.push(`${where} imports '${specifier}': core must not import any plugin.`);
    } else if (ownPlugin && packageMatch?.[2] && pkg !== ownPlugin.name) {
      problems.push(`${where} imports '${specifier}', the inside of another plugin: import '${pkg}' (its public entry) instead.`);
    }
  }
  return problems;
}

async function cycles(dirs, root) {
  const result = await madge(dirs, {
    baseDir: root,
    fileExtensions: ['ts'],
    tsConfig: TS_CONFIG,
    excludeRegExp: [/node_modules/, /(^|\/)dist\//, /\.d\.ts$/],
  });
  return result.circular();
}

function commonRoot(dirs) {
  let root = dirs[0];
  while (!dirs.every((dir) => inside(dir, root))) root = path.dirname(root);
  return root;
}

async function main(args) {
  const dirs = (args.length > 0 ? args.map((arg) => path.resolve(arg)) : DEFAULT_DIRS.map((d) => path.join(REPO_ROOT, d))).filter(
    (dir) => existsSync(dir),
  );
  if (dirs.length === 0) {
    console.error(`check-imports: none of ${(args.length > 0 ? args : DEFAULT_DIRS).join(', ')} exists; nothing to check.`);
    return 1;
  }
  const root = args.length > 0 ? commonRoot(dirs.map((dir) => path.dirname(dir))) : REPO_ROOT;
  const show = (file) => path.relative(root, file).split(path.sep).join('/');
  const files = dirs.flatMap(sourceFiles);
  const layout = layoutOf(dirs);
  const problems = files.flatMap((file) => ruleProblems(file, layout, show));
  const loops = files.length > 0 ? await cycles(dirs, root) : [];

  if (loops.length > 0) {
    console.error(`check-imports: ${loops.length} import cycle(s) found; break each one (move the shared part to its own file):`);
    for (const loop of loops) console.error(`  ${[...loop, loop[0]].map((file) => `'${file}'`).join(' -> ')}`);
  }
  if (problems.length > 0) {
    console.error(`check-imports: ${problems.length} import rule violation(s):`);
    for (const problem of problems) console.error(`  ${problem}`);
  }
  if (loops.length > 0 || problems.length > 0) return 1;
  console.log(
    `check-imports: OK, ${files.length} files in ${dirs.map(show).join(', ')}: no import cycles, core imports no plugin, plugins import each other only through their public entries.`,
  );
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
