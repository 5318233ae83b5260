/**
 * The host's one middleware, in front of every route: the request id (`x-request-id` in and
 * out), the request metrics and server span, the access log at debug level, the body size limit,
 * and the error answer of a request the plugin dispatcher failed.
 *
 * It is one async function with one await rather than a chain of Hono middlewares. Each layer of
 * a chain costs a request about four promises (Hono's dispatch, its await, the middleware's own
 * and its await), and while tracing is on AsyncLocalStorage's promise hooks run for every
 * promise of a request, so the chain was a large part of what tracing cost.
 */
import { context } from '@opentelemetry/api';
import type { ErrorHandler, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { answerStatus } from '@plugboard/plugin-api/internal';
import { setAnswerHeader } from './answerHeaders.js';
import { chooseRequestId, REQUEST_ID_HEADER } from './requestId.js';
import type { RequestTelemetry } from './requestMetrics.js';

export interface HostMiddlewareOptions {
  logger: Logger;
  telemetry: RequestTelemetry;
  /** The body limit, applied to requests of methods other than GET and HEAD, which carry no body. */
  limitBody: MiddlewareHandler;
  /**
   * Answers an error that reached this middleware: one thrown by the plugin dispatcher, which
   * runs as the app's not-found handler, outside the chain whose errors Hono answers itself.
   */
  onError: ErrorHandler;
}

/**
 * @example
 * app.use('*', hostMiddleware({ logger, telemetry: requestTelemetry(meter, tracer), limitBody: bodyLimit({ maxSize }), onError }));
 */
export function hostMiddleware({ logger, telemetry, limitBody, onError }: HostMiddlewareOptions): MiddlewareHandler {
  return async (c, next) => {
    const id = chooseRequestId(c);
    c.set('requestId', id);
    // Asked per request, so a level changed at run time applies at once.
    const logged = logger.isLevelEnabled('debug');
    const started = logged ? performance.now() : 0;
    const measure = telemetry.start(c);
    const active = measure?.server?.context;
    const pass = c.req.method === 'GET' || c.req.method === 'HEAD' ? next : () => limitBody(c, next) as Promise<void>;
    try {
      await (active !== undefined ? context.with(active, pass) : pass());
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      // In the request's context, so the error's log line names its trace.
      c.res = await (active !== undefined ? context.with(active, onError, undefined, err, c) : onError(err, c));
    } finally {
      if (measure !== undefined) telemetry.end(c, measure);
      setAnswerHeader(c, REQUEST_ID_HEADER, id);
      if (logged) {
        const ms = Math.round((performance.now() - started) * 10) / 10;
        const status = answerStatus(c);
        const { method, path } = c.req;
        logger.debug({ requestId: id, method, path, status, ms }, `${method} ${path} ${status} ${ms}ms`);
      }
    }
  };
}
