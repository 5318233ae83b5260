/**
 * Each example is its own package with its own tsconfig (not part of the repository's `tsc -b`,
 * as a third-party plugin would not be): typecheck each one with its own settings.
 */
import { execFile } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const examples = readdirSync(HERE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(HERE, entry.name, 'tsconfig.json')))
  .map((entry) => entry.name);

it('finds the examples', () => {
  expect(examples).toEqual(expect.arrayContaining(['quotas', 'writer-log']));
});

it.each(examples)('examples/%s typechecks with its own tsconfig', async (name) => {
  const run = promisify(execFile)(process.execPath, [TSC, '-p', join(HERE, name, 'tsconfig.json')], { cwd: join(HERE, name) });
  await expect(run.then(({ stdout }) => stdout)).resolves.toBe('');
}, 120_000);
