import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { ChangeReport } from '../kernel/types.js';
import { ApiError } from '@plugboard/plugin-api';
import { adminAuth, type AdminAuthOptions } from './adminAuth.js';
import { toApiError } from './kernelErrors.js';
import { parseJsonBody } from '@plugboard/plugin-api';
import type { HostKernel } from './types.js';

/**
 * The admin API, mounted under `/admin` and guarded by a bearer token (failures throttled per
 * client address, see {@link adminAuth}):
 * - `GET  /plugins`: every plugin with its state, version, dependencies and refs
 * - `POST /plugins/:name/enable`, `POST /plugins/:name/disable` (`cascade` in the query or the JSON body;
 *   an enable with cascade also starts again what a cascade disable of the plugin stopped)
 * - `POST /config/reload`: re-reads the config file
 * - `GET  /services`, `GET /tasks`
 * Changes answer the kernel's ChangeReport.
 *
 * @example
 * app.route('/admin', adminRoutes(kernel, { token: config.server.adminToken, logger }));
 */
export function adminRoutes(kernel: HostKernel, options: AdminAuthOptions & { token: string | undefined }): Hono {
  const { token, ...auth } = options;
  const admin = new Hono();
  admin.use('*', adminAuth(token, auth));
  admin.get('/plugins', (c) => c.json({ plugins: kernel.plugins() }));
  admin.post('/plugins/:name/enable', async (c) => {
    const cascade = (await cascadeFromBody(c)) ?? cascadeFromQuery(c) ?? false;
    return change(c, () => kernel.enable(c.req.param('name'), { cascade }));
  });
  admin.post('/plugins/:name/disable', async (c) => {
    const cascade = (await cascadeFromBody(c)) ?? cascadeFromQuery(c) ?? false;
    return change(c, () => kernel.disable(c.req.param('name'), { cascade }));
  });
  admin.post('/config/reload', (c) => change(c, () => kernel.reload()));
  admin.get('/services', (c) => c.json({ services: kernel.services() }));
  admin.get('/tasks', (c) => c.json({ tasks: kernel.tasks() }));
  return admin;
}

async function change(c: Context, run: () => Promise<ChangeReport>): Promise<Response> {
  try {
    return c.json(await run());
  } catch (err) {
    throw toApiError(err);
  }
}

function cascadeFromQuery(c: Context): boolean | undefined {
  const value = c.req.query('cascade');
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1' || value === '') return true;
  if (value === 'false' || value === '0') return false;
  throw new ApiError(400, 'invalid_request', `The query parameter 'cascade' must be 'true' or 'false', not '${value}'.`);
}

const CascadeBody = z.object({ cascade: z.boolean().optional() });

/** `cascade` from an optional JSON body `{ "cascade": true }`; an empty body gives undefined. */
async function cascadeFromBody(c: Context): Promise<boolean | undefined> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  // Hono caches the body text, so parseJsonBody reads it again without touching the stream.
  return (await parseJsonBody(c, CascadeBody)).cascade;
}
