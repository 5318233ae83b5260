/**
 * What plugins/metrics costs a real server: requests/s of a DB-backed route
 * (`GET /api/users/:id/conversations`, a cached user then one indexed query) and of a route that
 * does no I/O (`GET /api/users/:id` answered from the user cache), each against three servers
 * run side by side on one database: the metrics plugin disabled, metrics only (tracing off), and
 * metrics plus tracing with every request sampled. Rounds of autocannon alternate between the
 * three, in a rotating order, so drift hits all alike. The server's CPU time per request is read
 * from /proc/<pid>/stat around each round, in all (user + system) and in user mode alone: the
 * system part is mostly socket writes, and on loopback a write also delivers to and wakes the
 * client, which costs a server more per request the slower it answers. Prints a table, then one
 * JSON line.
 *
 * With `--profile`, one more round per route and mode runs after the timed ones with V8's CPU
 * profiler on in the server (bench/support/profileOnSignal.mjs), and the bench prints where each
 * mode's extra CPU per request goes, by package and by function, against the plugin disabled. The
 * profiler slows the server; read those figures against each other, not against the table's.
 *
 * With `--pin` (Linux, two CPUs or more), the servers run on CPU 1 and everything else (this
 * process and its autocannon, the database's backends for the bench) on CPU 0, so each server
 * has a core to itself and requests/s follow its own cost. Unpinned, on a 2-core machine the
 * DB-backed route's figures move by 15 to 20 points between runs with PostgreSQL and the client
 * landing beside one server or another.
 *
 * With `--floor`, a fourth server runs beside them: the plugin disabled, with an AsyncLocalStorage
 * enabled for the whole process (bench/support/asyncContextFloor.mjs). Its extra CPU against the
 * plugin disabled is what propagating a context through every promise costs on this Node, which
 * any tracing that parents a query's span on its request's pays before it records anything.
 *
 * Usage: npm run bench -- overhead [seconds per round, default 5] [rounds, default 5] [--profile] [--pin] [--floor]
 */
import { access, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { stringify } from 'yaml';
import { createTestDatabase } from '../core/runtime/src/testing/database.js';
import { spawnServer, type SpawnedServer } from '../core/runtime/src/testing/spawnServer.js';
import { fileURLToPath } from 'node:url';
import { costlier, costPerRequest, total } from './support/cpuProfile.js';
import { median, round1, round2 } from './stats.js';

const PROFILE = process.argv.includes('--profile');
const PIN = process.argv.includes('--pin');
const FLOOR = process.argv.includes('--floor');
const positional = process.argv.slice(2).filter((a) => !['--profile', '--pin', '--floor'].includes(a));
const SECONDS = Number(positional[0] ?? 5);
const ROUNDS = Number(positional[1] ?? 5);
const PROFILER = fileURLToPath(new URL('./support/profileOnSignal.mjs', import.meta.url));
const CONTEXT_FLOOR = fileURLToPath(new URL('./support/asyncContextFloor.mjs', import.meta.url));
const CONNECTIONS = 16;
const USER = 4242;
const CONVERSATIONS = 20;
/** Linux reports process CPU in clock ticks of 10 ms (USER_HZ = 100). */
const TICK_MS = 10;

type Mode = 'off' | 'context' | 'metrics' | 'all';
const MODES: readonly Mode[] = FLOOR ? ['off', 'context', 'metrics', 'all'] : ['off', 'metrics', 'all'];
const MODE_NAMES: Record<Mode, string> = {
  off: 'plugin disabled',
  context: 'disabled + AsyncLocalStorage',
  metrics: 'metrics only',
  all: 'metrics + tracing 100%',
};
const ROUTES = { db: `/api/users/${USER}/conversations`, noio: `/api/users/${USER}` } as const;
type Route = keyof typeof ROUTES;

const db = await createTestDatabase();
const dir = await mkdtemp(join(tmpdir(), 'plugboard-bench-overhead-'));
const servers = new Map<Mode, SpawnedServer>();

async function start(mode: Mode): Promise<SpawnedServer> {
  const path = join(dir, `${mode}.yaml`);
  const enabled = mode === 'metrics' || mode === 'all';
  const metrics = { enabled, tracing: { enabled: mode === 'all', sampleRatio: 1 }, system: { enabled: true } };
  await writeFile(path, stringify({ logging: { level: 'warn' }, database: { url: db.url }, plugins: { conversations: {}, metrics } }));
  const imports = [...(PROFILE ? [PROFILER] : []), ...(mode === 'context' ? [CONTEXT_FLOOR] : [])];
  const preload = imports.length > 0 ? { NODE_OPTIONS: imports.map((file) => `--import ${file}`).join(' ') } : {};
  const profiling = PROFILE ? { BENCH_PROFILE_OUT: profileFile(mode) } : {};
  return spawnServer({ args: ['--config', path, '--port', '0'], env: { OTEL_TRACES_SAMPLER: 'always_on', ...preload, ...profiling } });
}

function profileFile(mode: Mode): string {
  return join(dir, `${mode}.cpuprofile`);
}

/** One round with the server's CPU profiler on; resolves with the profile's file and the requests served. */
async function profiledRound(server: SpawnedServer, mode: Mode, route: Route): Promise<{ file: string; requests: number }> {
  const file = profileFile(mode);
  await rm(file, { force: true });
  server.child.kill('SIGUSR2');
  const result = await autocannon({ url: `${server.url}${ROUTES[route]}`, connections: CONNECTIONS, duration: SECONDS });
  server.child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    try {
      await access(file);
      // Written in one call; give a large profile a moment to land whole.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { file, requests: result.requests.total };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`The ${mode} server wrote no CPU profile to ${file} within 10 s.`);
}

async function printProfiles(): Promise<void> {
  for (const route of Object.keys(ROUTES) as Route[]) {
    const costs = new Map<Mode, Awaited<ReturnType<typeof costPerRequest>>>();
    for (const mode of MODES) {
      const { file, requests } = await profiledRound(servers.get(mode)!, mode, route);
      costs.set(mode, await costPerRequest(file, requests));
    }
    const off = costs.get('off')!;
    console.log(`\nprofile of ${route === 'db' ? 'GET /api/users/:id/conversations' : 'GET /api/users/:id (cached)'}: CPU µs per request, profiler on`);
    console.log(MODES.map((m) => `${m} ${total(costs.get(m)!.byPackage)}`).join(', '));
    for (const mode of ['metrics', 'all'] as const) {
      console.log(`where ${mode} costs more than off, by package:`);
      console.table(costlier(off.byPackage, costs.get(mode)!.byPackage, 14));
    }
    console.log('where all costs more than off, by function:');
    console.table(costlier(off.byFunction, costs.get('all')!.byFunction, 20));
  }
}

const run = promisify(execFile);

/** Pins every thread of process `pid` to CPU `cpu` (taskset, from util-linux). */
async function pin(pid: number, cpu: number): Promise<void> {
  await run('taskset', ['-a', '-p', '-c', String(cpu), String(pid)]);
}

/** With --pin: this process on CPU 0, the servers on CPU 1, the bench database's backends on CPU 0. */
async function pinAll(): Promise<void> {
  if (availableParallelism() < 2) throw new Error('--pin needs two CPUs or more.');
  await pin(process.pid, 0);
  for (const server of servers.values()) await pin(server.child.pid!, 1);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    for (const { pid } of rows) await pin(pid, 0);
    console.log(`overhead: pinned ${servers.size} servers to CPU 1, this process and ${rows.length} database backends to CPU 0`);
  } finally {
    await client.end();
  }
}

/** utime and stime of the server process, in ms. */
async function cpuMs(server: SpawnedServer): Promise<{ user: number; system: number }> {
  const stat = await readFile(`/proc/${server.child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * TICK_MS, system: Number(fields[12]) * TICK_MS };
}

async function round(server: SpawnedServer, route: Route, seconds: number): Promise<{ rps: number; cpuUsPerRequest: number; userUsPerRequest: number }> {
  const before = await cpuMs(server);
  const result = await autocannon({ url: `${server.url}${ROUTES[route]}`, connections: CONNECTIONS, duration: seconds });
  const after = await cpuMs(server);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${route} answered ${result.non2xx} non-2xx and ${result.errors} errors.`);
  const perRequest = (ms: number) => (ms * 1000) / result.requests.total;
  return {
    rps: result.requests.total / seconds,
    cpuUsPerRequest: perRequest(after.user + after.system - before.user - before.system),
    userUsPerRequest: perRequest(after.user - before.user),
  };
}

try {
  for (const mode of MODES) servers.set(mode, await start(mode));
  const any = servers.get('off')!;
  const exchanges = Array.from({ length: CONVERSATIONS }, (_, i) => ({
    id: crypto.randomUUID(),
    user_id: USER,
    username: 'bench',
    ai_model: i % 2 === 0 ? 'gpt-4o' : 'claude',
    user_message: `question ${i}`,
    ai_response: `answer ${i}`,
    prompt_tokens: 10,
    completion_tokens: 20,
  }));
  const posted = await fetch(`${any.url}/api/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(exchanges),
  });
  if (posted.status !== 201) throw new Error(`Seeding answered ${posted.status}: ${await posted.text()}`);

  // Warm-up: JIT, connection pools, user caches.
  for (const mode of MODES) for (const route of Object.keys(ROUTES) as Route[]) await round(servers.get(mode)!, route, 2);
  // After the warm-up, so the pools' connections (whose backends are pinned) are open.
  if (PIN) await pinAll();

  const samples = new Map<string, { rps: number[]; cpu: number[]; user: number[] }>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const route of Object.keys(ROUTES) as Route[]) {
      // Rotate which mode goes first.
      const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]!);
      for (const mode of order) {
        const { rps, cpuUsPerRequest, userUsPerRequest } = await round(servers.get(mode)!, route, SECONDS);
        const key = `${route}:${mode}`;
        const s = samples.get(key) ?? { rps: [], cpu: [], user: [] };
        s.rps.push(rps);
        s.cpu.push(cpuUsPerRequest);
        s.user.push(userUsPerRequest);
        samples.set(key, s);
      }
    }
  }

  // After the timed rounds, so the profiler's cost touches none of their figures; printed before
  // them, so the JSON line stays the last.
  if (PROFILE) await printProfiles();

  const rps = (route: Route, mode: Mode) => median(samples.get(`${route}:${mode}`)!.rps);
  const cpu = (route: Route, mode: Mode) => median(samples.get(`${route}:${mode}`)!.cpu);
  const user = (route: Route, mode: Mode) => median(samples.get(`${route}:${mode}`)!.user);
  console.log(`overhead: ${ROUNDS} interleaved rounds of ${SECONDS}s per route and mode, ${CONNECTIONS} connections (medians)${PIN ? ', pinned' : ''}`);
  console.table(
    (Object.keys(ROUTES) as Route[]).flatMap((route) =>
      MODES.map((mode) => ({
        route: `GET ${route === 'db' ? '/api/users/:id/conversations' : '/api/users/:id (cached)'}`,
        mode: MODE_NAMES[mode],
        'req/s': Math.round(rps(route, mode)),
        'loss vs off': `${round1((1 - rps(route, mode) / rps(route, 'off')) * 100)}%`,
        'CPU µs/req': round1(cpu(route, mode)),
        'CPU ratio': round2(cpu(route, mode) / cpu(route, 'off')),
        'user µs/req': round1(user(route, mode)),
        'user ratio': round2(user(route, mode) / user(route, 'off')),
      })),
    ),
  );
  console.log(
    JSON.stringify({
      bench: 'overhead',
      pinned: PIN,
      rps_off: Math.round(rps('db', 'off')),
      rps_metrics: Math.round(rps('db', 'metrics')),
      rps_all: Math.round(rps('db', 'all')),
      loss_metrics: round2(1 - rps('db', 'metrics') / rps('db', 'off')),
      loss_all: round2(1 - rps('db', 'all') / rps('db', 'off')),
      cpu_ratio_noio_all: round2(cpu('noio', 'all') / cpu('noio', 'off')),
      rps_noio_off: Math.round(rps('noio', 'off')),
      rps_noio_metrics: Math.round(rps('noio', 'metrics')),
      rps_noio_all: Math.round(rps('noio', 'all')),
      cpu_us_noio_off: round1(cpu('noio', 'off')),
      cpu_us_noio_all: round1(cpu('noio', 'all')),
      cpu_ratio_noio_metrics: round2(cpu('noio', 'metrics') / cpu('noio', 'off')),
      cpu_ratio_db_all: round2(cpu('db', 'all') / cpu('db', 'off')),
      user_ratio_noio_all: round2(user('noio', 'all') / user('noio', 'off')),
      user_ratio_db_all: round2(user('db', 'all') / user('db', 'off')),
      ...(FLOOR
        ? {
            loss_context: round2(1 - rps('db', 'context') / rps('db', 'off')),
            cpu_ratio_db_context: round2(cpu('db', 'context') / cpu('db', 'off')),
            cpu_ratio_noio_context: round2(cpu('noio', 'context') / cpu('noio', 'off')),
          }
        : {}),
    }),
  );
} finally {
  await Promise.all([...servers.values()].map((s) => s.stop()));
  await db.close();
  await rm(dir, { recursive: true, force: true });
}
