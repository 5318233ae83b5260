import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importSpecifiers } from './importScan.mjs';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'check-imports.mjs');

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function check(cwd: string, dirs: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...dirs], { cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('check-imports', () => {
  let root: string;

  /** Writes `files` (path -> content) under the fixture root. */
  function write(files: Record<string, string>): void {
    for (const [file, content] of Object.entries(files)) {
      const full = path.join(root, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }

  const cleanRepo = {
    'core/package.json': '{ "name": "@plugboard/core" }',
    'core/src/index.ts': "export { helper } from './util/helper.js';\nexport type { Shape } from './types.js';\n",
    'core/src/util/helper.ts': "import type { Shape } from '../types.js';\nexport const helper = (s: Shape) => s;\n",
    'core/src/types.ts': 'export interface Shape { id: string }\n',
    'plugins/alpha/package.json': '{ "name": "@plugboard/plugin-alpha" }',
    'plugins/alpha/src/index.ts': "export { ALPHA } from './refs.js';\n",
    'plugins/alpha/src/refs.ts': "import { helper } from '../../../core/src/index.js';\nexport const ALPHA = helper;\n",
    'plugins/beta/package.json': '{ "name": "@plugboard/plugin-beta" }',
    'plugins/beta/src/index.ts': [
      "import { ALPHA } from '@plugboard/plugin-alpha';",
      '// a comment that mentions the inside: import { x } from "@plugboard/plugin-alpha/src/refs.js";',
      "const fixture = `import { y } from '../../alpha/src/refs.js';`;",
      'export const BETA = [ALPHA, fixture];',
      '',
    ].join('\n'),
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'check-imports-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('passes a clean tree and says how many files it checked', async () => {
    write(cleanRepo);
    const result = await check(root, ['core', 'plugins']);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(
      'check-imports: OK, 6 files in core, plugins: no import cycles, core imports no plugin, plugins import each other only through their public entries.',
    );
    expect(result.code).toBe(0);
  });

  it('fails on a cycle through .js specifiers of .ts files and prints its path', async () => {
    write({
      ...cleanRepo,
      'core/src/types.ts': "import type { helper } from './util/helper.js';\nexport interface Shape { id: string; h?: typeof helper }\n",
    });
    const result = await check(root, ['core', 'plugins']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        'check-imports: 1 import cycle(s) found; break each one (move the shared part to its own file):',
        "  'core/src/types.ts' -> 'core/src/util/helper.ts' -> 'core/src/types.ts'",
        '',
      ].join('\n'),
    );
  });

  it('ignores cycles in dist and node_modules', async () => {
    write({
      ...cleanRepo,
      'core/dist/a.ts': "import './b.js';\n",
      'core/dist/b.ts': "import './a.js';\n",
      'core/node_modules/x/a.ts': "import './b.js';\n",
      'core/node_modules/x/b.ts': "import './a.js';\n",
    });
    const result = await check(root, ['core', 'plugins']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('fails when core imports a plugin, by relative path or by package name', async () => {
    write({
      ...cleanRepo,
      'core/src/kernel.ts': [
        "import { ALPHA } from '../../plugins/alpha/src/index.js';",
        "import type { BETA } from '@plugboard/plugin-beta';",
        "const dash = await import('@plugboard/dashboard');",
        'export { ALPHA, dash };',
        'export type B = typeof BETA;',
        '',
      ].join('\n'),
    });
    const result = await check(root, ['core']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        'check-imports: 3 import rule violation(s):',
        "  core/src/kernel.ts:1 imports '../../plugins/alpha/src/index.js' from plugin 'alpha': core must not import any plugin.",
        "  core/src/kernel.ts:2 imports '@plugboard/plugin-beta': core must not import any plugin.",
        "  core/src/kernel.ts:3 imports '@plugboard/dashboard': core must not import any plugin.",
        '',
      ].join('\n'),
    );
  });

  it("fails when a plugin reaches into another plugin's folder", async () => {
    write({
      ...cleanRepo,
      'plugins/beta/src/deep.ts': [
        "export { ALPHA } from '@plugboard/plugin-alpha/src/refs.js';",
        "import { ALPHA as A2 } from '../../alpha/src/refs.js';",
        'export const again = A2;',
        '',
      ].join('\n'),
    });
    const result = await check(root, ['core', 'plugins']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        'check-imports: 2 import rule violation(s):',
        "  plugins/beta/src/deep.ts:1 imports '@plugboard/plugin-alpha/src/refs.js', the inside of another plugin: import '@plugboard/plugin-alpha' (its public entry) instead.",
        "  plugins/beta/src/deep.ts:2 imports '../../alpha/src/refs.js' from inside plugin 'alpha': import '@plugboard/plugin-alpha' (its public entry) instead.",
        '',
      ].join('\n'),
    );
  });

  it('fails when a plugin imports the runtime, and lets its tests use the runtime only through @plugboard/core/testing', async () => {
    write({
      ...cleanRepo,
      'core/runtime/src/kernel.ts': 'export const kernel = 1;\n',
      'plugins/beta/src/wiring.ts': [
        "import { AppHost } from '@plugboard/core';",
        "import { startTestKernel } from '@plugboard/core/testing';",
        "import { kernel } from '../../../core/runtime/src/kernel.js';",
        "import { definePlugin } from '@plugboard/plugin-api';",
        'export const all = [AppHost, startTestKernel, kernel, definePlugin];',
        '',
      ].join('\n'),
      'plugins/beta/src/wiring.test.ts': [
        "import { startTestKernel } from '@plugboard/core/testing';",
        "import { Kernel } from '@plugboard/core';",
        'export const all = [startTestKernel, Kernel];',
        '',
      ].join('\n'),
      'plugins/beta/src/testSupport.ts': "export { startTestKernel } from '@plugboard/core/testing';\n",
    });
    const result = await check(root, ['core', 'plugins']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        'check-imports: 4 import rule violation(s):',
        "  plugins/beta/src/wiring.test.ts:2 imports '@plugboard/core': a plugin's tests use the runtime only through '@plugboard/core/testing'.",
        "  plugins/beta/src/wiring.ts:1 imports '@plugboard/core', the runtime: a plugin imports '@plugboard/plugin-api' (tests may use '@plugboard/core/testing').",
        "  plugins/beta/src/wiring.ts:2 imports '@plugboard/core/testing', the runtime: a plugin imports '@plugboard/plugin-api' (tests may use '@plugboard/core/testing').",
        "  plugins/beta/src/wiring.ts:3 imports '../../../core/runtime/src/kernel.js' from core's runtime: a plugin imports '@plugboard/plugin-api' only.",
        '',
      ].join('\n'),
    );
  });

  it('fails on a relative import that names no file, since it would hide cycles', async () => {
    write({ ...cleanRepo, 'core/src/broken.ts': "export { x } from './missing.js';\n" });
    const result = await check(root, ['core']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "core/src/broken.ts:1 imports './missing.js', which names no file: fix the path (imports of .ts files end in '.js').",
    );
  });
});

describe('importSpecifiers', () => {
  it('finds static, type-only, re-export, side-effect and dynamic imports with their lines', () => {
    const src = [
      "import a, { b } from './a.js';",
      'import type {',
      '  C,',
      "} from '../c.js';",
      "export * from './d.js';",
      "import './e.js';",
      "const f = await import('f');",
      "const re = /['\"]/g; const g = 'import x from \"no\"';",
      '/* import y from "no" */',
      "export { h } from 'h';",
    ].join('\n');
    expect(importSpecifiers(src)).toEqual([
      { specifier: './a.js', line: 1 },
      { specifier: '../c.js', line: 4 },
      { specifier: './d.js', line: 5 },
      { specifier: './e.js', line: 6 },
      { specifier: 'f', line: 7 },
      { specifier: 'h', line: 10 },
    ]);
  });
});
