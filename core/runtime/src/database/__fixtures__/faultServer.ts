/**
 * For fault tests: a PostgreSQL of the test's own (stopped, restarted or frozen by the test,
 * never the shared one), and `plugboard start` as a real process on it with the conversations
 * plugin and the database limits given.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { spawnServer, type SpawnedServer } from '../../testing/spawnServer.js';
import { createDatabaseIfMissing } from '../createDatabase.js';
import { startEmbeddedServer, type EmbeddedServer } from '../embeddedServer.js';

const CONVERSATIONS = fileURLToPath(new URL('../../../../../plugins/conversations', import.meta.url));

export interface OwnPostgres {
  server: EmbeddedServer;
  /** The app database's URL. */
  url: string;
  /** Starts PostgreSQL again on the same data folder and port (after `server.stop()`). */
  restart(): Promise<void>;
  /** Stops the server and removes its folder. */
  remove(): Promise<void>;
}

export async function ownPostgres(): Promise<OwnPostgres> {
  const logger = pino({ level: 'silent' });
  const root = join(tmpdir(), `plugboard-fault-pg-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(root);
  await chmod(root, 0o711);
  const dataDir = join(root, 'data');
  const own: OwnPostgres = {
    server: await startEmbeddedServer({ dataDir, logger }),
    url: '',
    async restart() {
      own.server = await startEmbeddedServer({ dataDir, logger, port: own.server.port });
    },
    async remove() {
      await own.server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
  await createDatabaseIfMissing(own.server.url('postgres'), 'app');
  own.url = own.server.url('app');
  return own;
}

export interface Limits {
  statementTimeout: string;
  acquireTimeout: string;
  poolMax: number;
}

/** `plugboard start` on `databaseUrl`, with a config of its own in a temporary folder. */
export async function startFaultServer(databaseUrl: string, limits: Limits): Promise<{ server: SpawnedServer; remove(): Promise<void> }> {
  const dir = join(tmpdir(), `plugboard-fault-config-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(dir);
  const config = join(dir, 'plugboard.yaml');
  await writeFile(
    config,
    [
      'server:',
      '  port: 0',
      'database:',
      `  url: "${databaseUrl}"`,
      `  statementTimeout: ${limits.statementTimeout}`,
      `  acquireTimeout: ${limits.acquireTimeout}`,
      '  pool:',
      `    max: ${limits.poolMax}`,
      'logging:',
      '  level: info',
      'plugins:',
      '  conversations:',
      `    from: "${CONVERSATIONS}"`,
      '',
    ].join('\n'),
  );
  const server = await spawnServer({ args: ['--config', config] });
  return {
    server,
    async remove() {
      if (server.child.exitCode === null) await server.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The server's JSON log lines from `from` (an offset in its output) on. */
export function logLines(server: SpawnedServer, from = 0): { level: number; msg: string }[] {
  return server
    .output()
    .slice(from)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

export const WARN = 40;
export const INFO = 30;
export const ERROR = 50;

/**
 * Sends `signal` to the postmaster `pid` and to every process it started. PostgreSQL's children
 * each call setsid(), so signalling the postmaster's process group would miss them.
 */
export async function signalPostgres(pid: number, signal: 'SIGSTOP' | 'SIGCONT'): Promise<number> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  // Stop the postmaster first, so it forks no new backend meanwhile; wake it last.
  const order = signal === 'SIGSTOP' ? [pid, ...children] : [...children, pid];
  for (const p of order) process.kill(p, signal);
  return children.length;
}
