/**
 * The route pattern of a plugin app that matches a request (`/api/users/:id`), looked up in the
 * app's router after the app answered: the plugin's Hono Context, which knows it, lives only
 * inside `app.fetch`, and adding a middleware in front of every plugin's routes to read it would
 * cost every plugin request even with no SDK installed. The dispatcher calls this only while a
 * metric or span will carry the route.
 */
import type { Hono } from 'hono';

/** What Hono's router holds per handler: the handler and the route it was registered as. */
type RouterEntry = [[unknown, { method: string; path: string }], unknown];

/**
 * The first route registered for a method (not a middleware of `use`/`all`, which Hono records
 * as `ALL`) that matches; failing that, the last `ALL` route that is not a wildcard; undefined
 * when only wildcards registered with `use` or `all` match. Never the raw path.
 *
 * @example
 * pluginRoute(app, 'GET', '/api/users/42'); // '/api/users/:id'
 */
export function pluginRoute(app: Hono, method: string, path: string): string | undefined {
  const [entries] = app.router.match(method === 'HEAD' ? 'GET' : method, path) as unknown as [RouterEntry[]];
  let fallback: string | undefined;
  for (const [[, route]] of entries) {
    if (route.method !== 'ALL') return route.path;
    // A wildcard `ALL` is most likely a `use` middleware (`/api/*`), which answered nothing.
    if (!route.path.endsWith('*')) fallback = route.path;
  }
  return fallback;
}
