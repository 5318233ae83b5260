import { Hono } from 'hono';
import { errorMessage } from '../util/errorMessage.js';
import { withTimeout } from '../util/withTimeout.js';
import type { HostKernel, PingableDatabase } from './types.js';

export interface HealthOptions {
  kernel: HostKernel;
  database?: PingableDatabase;
  /** How long `/readyz` waits for the database ping. */
  timeoutMs: number;
}

interface ReadinessChecks {
  plugins: { ok: boolean; notStarted: { name: string; state: string; error?: string }[]; reason?: string };
  database?: { ok: boolean; error?: string };
}

/**
 * `/healthz` answers 200 while the process runs. `/readyz` answers 200 once every enabled plugin
 * has started, at least one plugin runs, and the database answers a ping, else 503 naming the
 * failed check and why. With no plugin running every request would answer 404, so a load
 * balancer must not send any.
 *
 * @example
 * app.route('/', healthRoutes({ kernel, database, timeoutMs: 2000 }));
 */
export function healthRoutes(options: HealthOptions): Hono {
  const { kernel, database, timeoutMs } = options;
  const app = new Hono();
  app.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });
  app.get('/readyz', async (c) => {
    const plugins = kernel.plugins();
    const notStarted = plugins
      .filter((p) => p.enabled && p.state !== 'started')
      .map((p) => (p.error === undefined ? { name: p.name, state: p.state } : { name: p.name, state: p.state, error: p.error }));
    const checks: ReadinessChecks = { plugins: { ok: kernel.ready(), notStarted } };
    if (!plugins.some((p) => p.state === 'started')) {
      checks.plugins.ok = false;
      checks.plugins.reason =
        'No plugin is running, so no request can be served. Enable one with plugins.<name>.enabled: true in the config file, or with POST /admin/plugins/<name>/enable.';
    }
    if (database !== undefined) checks.database = await pingDatabase(database, timeoutMs);
    const ok = checks.plugins.ok && (checks.database?.ok ?? true);
    c.header('Cache-Control', 'no-store');
    return c.json({ status: ok ? 'ok' : 'not_ready', checks }, ok ? 200 : 503);
  });
  return app;
}

async function pingDatabase(database: PingableDatabase, timeoutMs: number): Promise<{ ok: boolean; error?: string }> {
  try {
    await withTimeout(database.ping(), timeoutMs, `The database did not answer a ping within ${timeoutMs} ms.`);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}
