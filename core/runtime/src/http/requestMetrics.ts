/**
 * The host's HTTP server telemetry, per the OpenTelemetry semantic conventions for HTTP:
 * `http.server.request.duration` in seconds and `http.server.active_requests`, with the request
 * method, response status code, URL scheme, the matched route (`http.route`: the host's own
 * routes, and the route of the plugin app that answered, which the dispatcher finds) and the
 * answering plugin's name; and a server span per request named `METHOD route`.
 */
import type { Attributes, Histogram, Meter, Tracer } from '@opentelemetry/api';
import type { Context } from 'hono';
import { routePath } from 'hono/route';
import { meterProviderInstalled } from '../telemetry/meterProviderInstalled.js';
import { endServerSpan, startServerSpan, type RequestHeaders, type ServerSpan } from '../telemetry/serverSpan.js';
import { tracerProviderInstalled } from '../telemetry/tracerProviderInstalled.js';
import { answerStatus, requestHeader } from '@plugboard/plugin-api/internal';
import { setAnswerHeader } from './answerHeaders.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The plugin whose app answered the request, set by the dispatcher. */
    'plugboard.plugin': string;
    /** The route of the plugin app that answered, set by the dispatcher while telemetry is on. */
    'plugboard.route': string;
  }
}

/** The semantic conventions' advice for `http.server.request.duration`, in seconds. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Methods reported as sent; any other is `_OTHER`, so a client cannot mint new series. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

/** What `start` handed out for one request, and `end` closes. */
export interface RequestMeasure {
  /** performance.now() at the start, while a MeterProvider is installed; else -1. */
  readonly started: number;
  readonly active: ActiveEntry | undefined;
  /** The server span, while a TracerProvider is installed. */
  readonly server: ServerSpan | undefined;
}

/** The request metrics and server span, begun and ended by the host middleware around a request. */
export interface RequestTelemetry {
  /**
   * Begins measuring the request: undefined while neither a MeterProvider nor a TracerProvider
   * is installed, which costs two integer compares and reads no clock.
   */
  start(c: Context): RequestMeasure | undefined;
  /** Records the duration, ends the span and sets `traceresponse` on the answer. */
  end(c: Context, measure: RequestMeasure): void;
}

/**
 * Measures requests: the duration on `http.server.request.duration` and the presence on
 * `http.server.active_requests` of `meter` while a MeterProvider is installed, and a server span
 * on `tracer` while a TracerProvider is. The host middleware (hostMiddleware.ts) calls `start`
 * first thing and `end` once the answer exists, so it times everything in between.
 *
 * @example
 * const telemetry = requestTelemetry(createForwardingMeter('plugboard.http', CORE_VERSION), createForwardingTracer('plugboard.http', CORE_VERSION));
 * const measure = telemetry.start(c);
 * await (measure?.server ? context.with(measure.server.context, next) : next());
 * if (measure) telemetry.end(c, measure);
 */
export function requestTelemetry(meter: Meter, tracer?: Tracer): RequestTelemetry {
  const duration: Histogram = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'Duration of HTTP server requests.',
    advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
  });
  observeActiveRequests(meter);
  return {
    start(c) {
      const metered = meterProviderInstalled();
      const traced = tracer !== undefined && tracerProviderInstalled();
      if (!metered && !traced) return undefined;
      let active: ActiveEntry | undefined;
      if (metered) {
        active = activeEntry(c);
        active.count++;
      }
      let server: ServerSpan | undefined;
      if (traced) {
        const method = methodOf(c);
        server = startServerSpan(tracer, new IncomingHeaders(c), method, { 'http.request.method': method, 'url.path': c.req.path, 'url.scheme': schemeOf(c) });
      }
      return { started: metered ? performance.now() : -1, active, server };
    },
    end(c, { started, active, server }) {
      if (active !== undefined) {
        active.count--;
        duration.record((performance.now() - started) / 1000, attributesOf(c, active));
      }
      if (server !== undefined) {
        const status = answerStatus(c);
        const route = routeOf(c);
        const plugin = c.get('plugboard.plugin');
        const attributes: Attributes = { 'http.response.status_code': status };
        if (route !== undefined) attributes['http.route'] = route;
        if (plugin !== undefined) attributes['plugboard.plugin'] = plugin;
        endServerSpan(server, { route, status, attributes }, (name, value) => setAnswerHeader(c, name, value));
      }
    },
  };
}

/**
 * Marks the request as answered by plugin `plugin`'s app, for the `plugboard.plugin` attribute,
 * and by its route `route` when the dispatcher looked it up.
 *
 * @example
 * const res = await app.fetch(c.req.raw, env);
 * answeredBy(c, plugin, '/api/users/:id');
 */
export function answeredBy(c: Context, plugin: string, route?: string): void {
  c.set('plugboard.plugin', plugin);
  if (route !== undefined) c.set('plugboard.route', route);
}

/** Whether anything would use a plugin route's pattern: the dispatcher looks it up only then. */
export function telemetryWanted(): boolean {
  return meterProviderInstalled() || tracerProviderInstalled();
}

/**
 * The request's headers for the propagators, read without building a Headers object. A class
 * rather than an object of arrow functions: tsx compiles with esbuild's `keepNames`, which names
 * every named function when it is made, and that cost 0.25 µs per function per request.
 */
class IncomingHeaders implements RequestHeaders {
  constructor(private readonly c: Context) {}

  get(name: string): string | undefined {
    return requestHeader(this.c, name);
  }

  keys(): string[] {
    const incoming = (this.c.env as { incoming?: { headers: Record<string, unknown> } } | undefined)?.incoming;
    return incoming !== undefined ? Object.keys(incoming.headers) : [...this.c.req.raw.headers.keys()];
  }
}

function methodOf(c: Context): string {
  const method = c.req.method;
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}

function schemeOf(c: Context): string {
  const url = c.req.url;
  return url.slice(0, url.indexOf(':'));
}

/** Requests in flight by method and scheme, process-wide, with the attributes they are reported under. */
export interface ActiveEntry {
  readonly attributes: Readonly<Record<string, string>>;
  count: number;
  /** The duration points' attributes by status, plugin and route (see attributesOf). */
  readonly byAnswer: Map<string, Readonly<Record<string, string | number>>>;
}
const activeRequests = new Map<string, ActiveEntry>();
const observed = new WeakSet<Meter>();

/**
 * `http.server.active_requests` is observed from plain counts rather than added to twice per
 * request: each SDK add hashes its attributes (about 1 µs), a count is one increment.
 */
function observeActiveRequests(meter: Meter): void {
  if (observed.has(meter)) return;
  observed.add(meter);
  meter
    .createObservableUpDownCounter('http.server.active_requests', { unit: '{request}', description: 'Number of active HTTP server requests.' })
    .addCallback((result) => {
      for (const entry of activeRequests.values()) result.observe(entry.count, entry.attributes);
    });
}

/** The attributes known before the answer (those of `http.server.active_requests`) and their count. */
function activeEntry(c: Context): ActiveEntry {
  const method = methodOf(c);
  const scheme = schemeOf(c);
  const key = `${method} ${scheme}`;
  let entry = activeRequests.get(key);
  if (entry === undefined) {
    entry = { attributes: { 'http.request.method': method, 'url.scheme': scheme }, count: 0, byAnswer: new Map() };
    activeRequests.set(key, entry);
  }
  return entry;
}

/**
 * The attributes of one request's duration point. Made once per combination, frozen and reused:
 * building a fresh one with a spread per request was the larger part of this middleware's cost,
 * and a histogram of the metrics plugin finds a frozen set by identity rather than by a hash.
 */
function attributesOf(c: Context, active: ActiveEntry): Readonly<Record<string, string | number>> {
  const status = answerStatus(c);
  const plugin = c.get('plugboard.plugin');
  const route = routeOf(c);
  const key = `${status} ${plugin ?? ''} ${route ?? ''}`;
  let attributes = active.byAnswer.get(key);
  if (attributes === undefined) {
    const made: Record<string, string | number> = { ...active.attributes, 'http.response.status_code': status };
    if (plugin !== undefined) made['plugboard.plugin'] = plugin;
    if (route !== undefined) made['http.route'] = route;
    if (status >= 500) made['error.type'] = String(status);
    // Frozen: the metrics plugin's histograms find a frozen set by identity, without hashing it.
    attributes = Object.freeze(made);
    // Routes are patterns and statuses few, so this stays small; the bound guards odd plugins.
    if (active.byAnswer.size >= MAX_ANSWER_SETS) active.byAnswer.clear();
    active.byAnswer.set(key, attributes);
  }
  return attributes;
}

const MAX_ANSWER_SETS = 1000;


/** The plugin app's route when a plugin answered, else the host's own. */
function routeOf(c: Context): string | undefined {
  if (c.get('plugboard.plugin') !== undefined) return c.get('plugboard.route');
  return hostRoute(c);
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
