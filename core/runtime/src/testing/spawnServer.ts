import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/plugboard.js', import.meta.url));
const READY_LINE = /is ready at (http:\/\/\S+)/;

export interface SpawnedServer {
  child: ChildProcess;
  /** The server's base URL, read from its start-up summary. */
  url: string;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface SpawnServerOptions {
  /** Arguments after `plugboard start`. */
  args?: string[];
  /** Added to the parent's environment. */
  env?: NodeJS.ProcessEnv;
  /** Working directory of the process. Default: this one's. */
  cwd?: string;
  /** Give up waiting for the ready line after this long. Default 60 s. */
  timeoutMs?: number;
  /**
   * Run in a process group of its own, so that `stop()` signals the whole group, as a Ctrl+C in
   * a terminal does (to node and every child it started that shares its group).
   */
  processGroup?: boolean;
}

/**
 * Runs `plugboard start` as a real child process, as an operator would, and waits for the
 * line that says it is ready. Pass `--port 0` in `args` (or PLUGBOARD_PORT=0) to get a free port.
 *
 * @example
 * const server = await spawnServer({ args: ['--port', '0'], env: { DATABASE_URL: db.url } });
 * await fetch(`${server.url}/readyz`);
 * expect(await server.stop('SIGTERM')).toBe(0);
 */
export async function spawnServer(options: SpawnServerOptions = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [BIN, 'start', ...(options.args ?? [])], {
    env: { ...process.env, PLUGBOARD_LOG_FORMAT: 'json', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup ?? false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let output = '';
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`plugboard start was not ready within ${options.timeoutMs ?? 60_000} ms. Output:\n${output}`)),
      options.timeoutMs ?? 60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = READY_LINE.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`plugboard start exited (${code}) before it was ready. Output:\n${output}`));
    });
  });
  return {
    child,
    url,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        if (options.processGroup) process.kill(-child.pid!, signal);
        else child.kill(signal);
      }
      return exited;
    },
  };
}
