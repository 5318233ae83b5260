/**
 * `plugboard start` as a real process with conversations and batching, on a config of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer, type SpawnedServer } from '@plugboard/core/testing';

const CONVERSATIONS = fileURLToPath(new URL('../../../conversations', import.meta.url));
const BATCHING = fileURLToPath(new URL('../..', import.meta.url));

export const ADMIN_TOKEN = randomBytes(16).toString('hex');

export interface BatchingServer {
  server: SpawnedServer;
  configPath: string;
  /** Rewrites the config with a new batching section (for a reload). */
  rewrite(batching: Record<string, unknown>): Promise<void>;
  /** Resident memory of the server process, in bytes. */
  rss(): Promise<number>;
  remove(): Promise<void>;
}

export async function startBatchingServer(options: {
  databaseUrl: string;
  batching: Record<string, unknown>;
  database?: Record<string, unknown>;
}): Promise<BatchingServer> {
  const dir = await mkdtemp(join(tmpdir(), 'plugboard-batching-config-'));
  const configPath = join(dir, 'plugboard.yaml');
  const write = (batching: Record<string, unknown>) =>
    writeFile(
      configPath,
      // JSON is YAML.
      JSON.stringify({
        server: { port: 0, adminToken: ADMIN_TOKEN },
        database: { url: options.databaseUrl, statementTimeout: '5s', acquireTimeout: '2s', pool: { max: 8 }, ...options.database },
        logging: { level: 'info' },
        kernel: { stopTimeout: '30s' },
        plugins: { conversations: { from: CONVERSATIONS }, batching: { from: BATCHING, ...batching } },
      }, null, 2),
    );
  await write(options.batching);
  const server = await spawnServer({ args: ['--config', configPath] });
  return {
    server,
    configPath,
    rewrite: write,
    async rss() {
      const status = await readFile(`/proc/${server.child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    async remove() {
      if (server.child.exitCode === null && server.child.signalCode === null) await server.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One exchange through real HTTP; a network failure is reported as status 0. */
export async function postExchange(base: string, body: Record<string, unknown>): Promise<{ status: number; code?: string; message?: string }> {
  try {
    const res = await fetch(`${base}/api/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const json = (await res.json()) as { error?: { code: string; message: string } };
    return { status: res.status, ...(json.error ? { code: json.error.code, message: json.error.message } : {}) };
  } catch (err) {
    return { status: 0, message: err instanceof Error ? err.message : String(err) };
  }
}
