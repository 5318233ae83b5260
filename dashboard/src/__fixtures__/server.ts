/**
 * Real servers for the dashboard's tests: `plugboard start` as a child process with a config of
 * its own (written to a temporary folder), on a free port, against the test database.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer, type SpawnedServer } from '@plugboard/core/testing';

export const ADMIN_TOKEN = 'dashboard-test-token-0123456789';
const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Where each plugin used by the tests lives. */
export const PLUGIN_DIRS: Record<string, string> = {
  conversations: join(root, 'plugins/conversations'),
  metrics: join(root, 'plugins/metrics'),
  alerts: join(root, 'plugins/alerts'),
  'db-indexes': join(root, 'plugins/db-indexes'),
  batching: join(root, 'plugins/batching'),
  dashboard: join(root, 'dashboard'),
  'audit-writer': join(root, 'dashboard/src/__fixtures__/audit-writer/index.ts'),
};

export interface ServerSpec {
  databaseUrl: string;
  /** Each plugin's section (its `from:` is added). */
  plugins: Record<string, Record<string, unknown>>;
  host?: string;
  port?: number;
  adminToken?: string;
}

export interface DashboardServer extends SpawnedServer {
  port: number;
  dir: string;
  /** Stops the process and removes its config folder. */
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, for a server that must come back on the same port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * @example
 * const server = await startServer({ databaseUrl: db.url, plugins: { metrics: {}, dashboard: {} } });
 */
export async function startServer(spec: ServerSpec, dir?: string): Promise<DashboardServer> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'plugboard-dashboard-')));
  const plugins = Object.fromEntries(
    Object.entries(spec.plugins).map(([name, section]) => [name, { from: PLUGIN_DIRS[name], ...section }]),
  );
  const config = {
    server: { host: spec.host ?? '127.0.0.1', port: spec.port ?? 0, adminToken: spec.adminToken ?? ADMIN_TOKEN },
    database: { url: spec.databaseUrl },
    logging: { level: 'warn' },
    plugins,
  };
  // YAML is a superset of JSON.
  await writeFile(join(folder, 'plugboard.yaml'), JSON.stringify(config, null, 2));
  const server = await spawnServer({ args: ['--config', join(folder, 'plugboard.yaml')], cwd: folder });
  const port = Number(new URL(server.url).port);
  return {
    ...server,
    port,
    dir: folder,
    close: async () => {
      await server.stop('SIGTERM');
      if (dir === undefined) await rm(folder, { recursive: true, force: true });
    },
  };
}
