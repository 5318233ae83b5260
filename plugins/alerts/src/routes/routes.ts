/**
 * The plugin's routes: the read API under /api/alerts and silences under /admin (behind core's
 * admin bearer token, which guards every /admin path).
 */
import { ApiError, parseJsonBody, parseParams, PlugboardError } from '@plugboard/plugin-api';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AlertsApi, SilenceInput } from '../contract.js';

/** `saved(id)`: resolves once a silence's change is stored (the answer waits for it, so a 201 is durable). */
export function alertRoutes(http: Hono, api: AlertsApi, saved: (id: string) => Promise<void>): void {
  http.get('/api/alerts', (c) => c.json({ alerts: api.alerts() }));
  http.get('/api/alerts/rules', (c) => c.json({ rules: api.rules() }));
  http.get('/admin/silences', (c) => c.json({ silences: api.silences() }));
  http.post('/admin/silences', async (c) => {
    const body = await parseJsonBody(c, z.unknown());
    let silence;
    try {
      silence = api.addSilence(body as SilenceInput);
    } catch (err) {
      if (!PlugboardError.is(err, 'invalidArgument')) throw err;
      throw new ApiError(400, 'invalid_request', err.message, { details: err.details });
    }
    await saved(silence.id);
    return c.json(silence, 201);
  });
  http.delete('/admin/silences/:id', async (c) => {
    const { id } = parseParams(c, z.object({ id: z.string().min(1) }));
    if (!api.removeSilence(id)) throw new ApiError(404, 'silence_not_found', `There is no active silence '${id}': GET /admin/silences lists them.`);
    await saved(id);
    return c.body(null, 204);
  });
}
