#!/usr/bin/env node
/**
 * Runs one benchmark: `npm run bench -- <name>` runs bench/<name>.ts with tsx, passing any
 * further arguments on, and exits with the benchmark's exit code.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = fileURLToPath(new URL('../bench/', import.meta.url));
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !available.includes(name)) {
  const asked = name === undefined ? 'No benchmark was named' : `There is no benchmark 'bench/${name}.ts'`;
  console.error(`${asked}. Run one of: ${available.map((n) => `'${n}'`).join(', ')} (npm run bench -- <name>).`);
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...rest], {
  // Core's run-time tsconfig gives every loaded .ts legacy decorators, as core/runtime/bin/plugboard.js does.
  env: { TSX_TSCONFIG_PATH: fileURLToPath(new URL('../core/runtime/tsconfig.runtime.json', import.meta.url)), ...process.env },
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal !== null) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
