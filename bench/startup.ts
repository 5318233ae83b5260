/**
 * How long `plugboard start` takes from process start until `/readyz` answers 200, with every
 * standard plugin of config/plugboard.yaml, against a running PostgreSQL; and the server's
 * resident memory once ready. The baseline, measured in the same run, is the same binary
 * answering `plugboard --version`: Node, tsx and loading core's modules, with no database, plugin
 * or server; `ratio_vs_boot` shows what starting adds to that. Prints a table, then one JSON line.
 *
 * Uses BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test;
 * a fresh database is made for the run and dropped after.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '../core/runtime/src/testing/database.js';
import { median, round1 } from './stats.js';

const BIN = fileURLToPath(new URL('../core/runtime/bin/plugboard.js', import.meta.url));
const WARM_RUNS = 5;

process.env['TEST_DATABASE_URL'] ??= process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function startOnce(databaseUrl: string): Promise<{ readyMs: number; rssMb: number }> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, [BIN, 'start', '--port', String(port)], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PLUGBOARD_LOG_LEVEL: 'warn', PLUGBOARD_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`plugboard start exited with ${child.exitCode} before it was ready`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = performance.now() - began;
    return { readyMs, rssMb: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`plugboard start exited with ${code} on SIGTERM`);
  }
}

function bootMs(): number {
  const began = performance.now();
  const result = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`plugboard --version failed: ${result.stderr}`);
  return performance.now() - began;
}


const db = await createTestDatabase();
try {
  const cold = await startOnce(db.url);
  const warm: { readyMs: number; rssMb: number }[] = [];
  const boots: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    boots.push(bootMs());
    warm.push(await startOnce(db.url));
  }
  const readyMs = median(warm.map((w) => w.readyMs));
  const rss = median(warm.map((w) => w.rssMb));
  const boot = median(boots);
  console.table({
    'first start (runs migrations)': { ready_ms: round1(cold.readyMs), rss_mb: round1(cold.rssMb) },
    [`later starts (median of ${WARM_RUNS})`]: { ready_ms: round1(readyMs), rss_mb: round1(rss) },
    'load only (plugboard --version)': { ready_ms: round1(boot), rss_mb: NaN },
  });
  console.log(
    JSON.stringify({
      bench: 'startup',
      ready_ms: round1(readyMs),
      rss_mb: round1(rss),
      first_ready_ms: round1(cold.readyMs),
      boot_ms: round1(boot),
      ratio_vs_boot: round1(readyMs / boot),
    }),
  );
} finally {
  await db.close();
}
