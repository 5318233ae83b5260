/**
 * Carries per-request facts from the host app into plugin apps. A plugin app runs with its own
 * Hono Context, so the host hands it a fresh `env` object per call and keys the facts on it.
 */
import type { Context } from 'hono';

/** What the host knows about one call of a plugin app. */
export interface PluginCallState {
  readonly requestId: string | undefined;
  /** Set by the plugin app's not-found handler: no route of that app matched. */
  unmatched: boolean;
}

const calls = new WeakMap<object, PluginCallState>();

/** A fresh env for calling a plugin app: the host's bindings (Node's incoming/outgoing) plus call state. */
export function startPluginCall(c: Context): { env: object; state: PluginCallState } {
  const env: object = { ...(c.env as object | undefined) };
  const state: PluginCallState = { requestId: requestIdOf(c), unmatched: false };
  calls.set(env, state);
  return { env, state };
}

/** The call state when `c` belongs to a plugin app called by the host, else undefined. */
export function pluginCallState(c: Context): PluginCallState | undefined {
  const env: unknown = c.env;
  return typeof env === 'object' && env !== null ? calls.get(env) : undefined;
}

/**
 * The id of the request `c` serves, in the host app or in a plugin app.
 *
 * @example
 * ctx.http.get('/api/ping', (c) => { ctx.logger.info({ requestId: requestIdOf(c) }, 'ping'); return c.text('pong'); });
 */
export function requestIdOf(c: Context): string | undefined {
  const own = c.get('requestId') as string | undefined;
  return own ?? pluginCallState(c)?.requestId;
}
