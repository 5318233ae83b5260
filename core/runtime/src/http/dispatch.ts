import type { Histogram } from '@opentelemetry/api';
import type { Hono, NotFoundHandler } from 'hono';
import type { Logger } from 'pino';
import { createErrorHandler, type ErrorHandlerOptions } from './errorHandler.js';
import { errorResponse } from './errorResponse.js';
import { pluginCallState, startPluginCall } from '@plugboard/plugin-api/internal';
import { meterProviderInstalled } from '../telemetry/meterProviderInstalled.js';
import { pluginRoute } from './pluginRoute.js';
import { answeredBy, telemetryWanted } from './requestMetrics.js';
import type { HostKernel, PluginRoute } from './types.js';

const prepared = new WeakSet<Hono>();

/**
 * Makes a plugin app report "no route matched" to the host instead of answering 404, and answer
 * errors as the host does. Done once per app; the plugin's own notFound/onError are replaced,
 * because one port serves every plugin and all answer errors in the same JSON shape.
 */
function prepare(app: Hono, plugin: string, logger: Logger, errors: ErrorHandlerOptions): void {
  if (prepared.has(app)) return;
  prepared.add(app);
  app.notFound((c) => {
    const state = pluginCallState(c);
    if (state !== undefined) state.unmatched = true;
    return c.body(null, 404);
  });
  app.onError(createErrorHandler(logger.child({ plugin }), errors));
}

/**
 * What the host does with a request none of its own routes matched: offers it to each started
 * plugin's app in start order and answers with the first that has a matching route (whatever
 * status that route gives, 404 included), else 404 `not_found`. A route that calls `c.notFound()`
 * passes the request on. Only the app whose route matched reads the body, which is why a
 * plugin's middleware on `*` must not read it. A plugin's requests are counted in flight (for the
 * drain of a restart) while its app has them.
 *
 * @example
 * app.notFound(dispatchToPlugins(kernel, logger));
 */
export function dispatchToPlugins(
  kernel: HostKernel,
  logger: Logger,
  errors: ErrorHandlerOptions = {},
  /** `plugboard.middleware.duration`: how long each plugin app offered the request took, by plugin. */
  middlewareDuration?: Histogram,
): NotFoundHandler {
  return async (c) => {
    // Read again at each step, keyed by plugin: a plugin may restart while an earlier one's route
    // is awaited, and a request passed on must reach its current app, not one that has stopped.
    const offered = new Set<string>();
    for (let next = nextRoute(kernel, offered); next !== undefined; next = nextRoute(kernel, offered)) {
      const { plugin, app, requests } = next;
      offered.add(plugin);
      prepare(app, plugin, logger, errors);
      const { env, state } = startPluginCall(c);
      // Checked per request: with no MeterProvider installed this costs one integer compare.
      const started = middlewareDuration !== undefined && meterProviderInstalled() ? performance.now() : -1;
      let res: Response;
      requests?.enter();
      try {
        res = await app.fetch(c.req.raw, env);
      } catch (err) {
        if (started >= 0) middlewareDuration!.record((performance.now() - started) / 1000, middlewareAttributes(plugin, true));
        answeredBy(c, plugin, telemetryWanted() ? pluginRoute(app, c.req.method, c.req.path) : undefined);
        // Hono rethrows values that are not Errors; the host's error handler only sees Errors.
        if (err instanceof Error) throw err;
        throw new Error(`A route of plugin '${plugin}' threw a value that is not an Error: ${String(err)}`, { cause: err });
      } finally {
        requests?.leave();
      }
      if (started >= 0) middlewareDuration!.record((performance.now() - started) / 1000, middlewareAttributes(plugin, !state.unmatched));
      if (state.unmatched) continue;
      // The pattern is looked up again outside the plugin app (its Context is gone): only when
      // a metric or a span will carry it.
      answeredBy(c, plugin, telemetryWanted() ? pluginRoute(app, c.req.method, c.req.path) : undefined);
      // As it came: a Node-style handler's marker must reach @hono/node-server untouched, and any
      // other answer is written from its own body. The host's middlewares add their headers
      // (x-request-id, traceresponse) to it afterwards (answerHeaders.ts).
      return res;
    }
    return errorResponse(c, 404, 'not_found', `No route matches ${c.req.method} ${c.req.path}.`);
  };
}

/**
 * Made once per plugin and outcome rather than per request; frozen, so a histogram may find them
 * by identity. Looked up by the plugin's name as it is (a key built per request would be a new
 * string to hash each time).
 */
const middlewareAttributeSets = new Map<string, { answered: MiddlewareAttributes; passed: MiddlewareAttributes }>();
type MiddlewareAttributes = Readonly<Record<string, string | boolean>>;

function middlewareAttributes(plugin: string, answered: boolean): MiddlewareAttributes {
  let sets = middlewareAttributeSets.get(plugin);
  if (sets === undefined) {
    sets = {
      answered: Object.freeze({ 'plugboard.plugin': plugin, 'plugboard.answered': true }),
      passed: Object.freeze({ 'plugboard.plugin': plugin, 'plugboard.answered': false }),
    };
    middlewareAttributeSets.set(plugin, sets);
  }
  return answered ? sets.answered : sets.passed;
}

/** The first started plugin, in start order, that the request has not been offered to yet. */
function nextRoute(kernel: HostKernel, offered: ReadonlySet<string>): PluginRoute | undefined {
  return kernel.routes().find((route) => !offered.has(route.plugin));
}
