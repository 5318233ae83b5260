/**
 * The host's HTTP server metric, per the OpenTelemetry semantic conventions for HTTP:
 * `http.server.request.duration` in seconds, with the request method, response status code, URL
 * scheme, the matched route of the host's own routes, and the answering plugin's name for requests
 * a plugin app answered. Plugin routes carry no `http.route`: which route of a plugin's Hono app
 * matched is only known inside that app (see answeredBy below).
 */
import type { Histogram, Meter } from '@opentelemetry/api';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { meterProviderInstalled } from '../telemetry/meterProviderInstalled.js';
import { ALREADY_SENT } from '@plugboard/plugin-api/internal';

declare module 'hono' {
  interface ContextVariableMap {
    /** The plugin whose app answered the request, set by the dispatcher. */
    'plugboard.plugin': string;
  }
}

/** The semantic conventions' advice for `http.server.request.duration`, in seconds. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Methods reported as sent; any other is `_OTHER`, so a client cannot mint new series. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

/**
 * Records the duration of every request on `http.server.request.duration` of `meter`. Put it
 * right after the request id middleware, so it times everything after. While no MeterProvider is
 * installed it only compares one integer and passes the request on: no clock read, no attributes.
 *
 * @example
 * const meter = createForwardingMeter('plugboard.http', CORE_VERSION);
 * app.use('*', requestId());
 * app.use('*', requestMetrics(meter));
 */
export function requestMetrics(meter: Meter): MiddlewareHandler {
  const duration: Histogram = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'Duration of HTTP server requests.',
    advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
  });
  const measure: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    await next();
    duration.record((performance.now() - started) / 1000, attributesOf(c));
  };
  return (c, next) => (meterProviderInstalled() ? measure(c, next) : next());
}

/**
 * Marks the request as answered by plugin `plugin`'s app, for the `plugboard.plugin` attribute.
 *
 * @example
 * const res = await app.fetch(c.req.raw, env);
 * answeredBy(c, plugin);
 */
export function answeredBy(c: Context, plugin: string): void {
  c.set('plugboard.plugin', plugin);
}

function attributesOf(c: Context): Record<string, string | number> {
  const method = c.req.method;
  const url = c.req.url;
  const status = statusOf(c);
  const attributes: Record<string, string | number> = {
    'http.request.method': KNOWN_METHODS.has(method) ? method : '_OTHER',
    'http.response.status_code': status,
    'url.scheme': url.slice(0, url.indexOf(':')),
  };
  const plugin = c.get('plugboard.plugin');
  if (plugin !== undefined) attributes['plugboard.plugin'] = plugin;
  else {
    const route = hostRoute(c);
    if (route !== undefined) attributes['http.route'] = route;
  }
  if (status >= 500) attributes['error.type'] = String(status);
  return attributes;
}

/** A Node-style handler wrote the real status on `outgoing`; the Response is only a marker. */
function statusOf(c: Context): number {
  if (!c.res.headers.has(ALREADY_SENT)) return c.res.status;
  const outgoing = (c.env as { outgoing?: { statusCode?: number } } | undefined)?.outgoing;
  return outgoing?.statusCode ?? c.res.status;
}

/**
 * The pattern of the host route that answered (`/admin/plugins/:name/enable`), or undefined when
 * it was a catch-all: the `*` middlewares (a body over the limit) or the plugin dispatcher (no
 * plugin route matched). Never the raw path, which would make a series per URL.
 */
function hostRoute(c: Context): string | undefined {
  const path = routePath(c);
  return path === '/*' || path === '*' || path === '' ? undefined : path;
}
