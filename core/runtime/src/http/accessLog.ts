import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { ALREADY_SENT } from '@plugboard/plugin-api/internal';
import { requestIdOf } from '@plugboard/plugin-api';

/**
 * Logs every request at debug level with its method, path, status and duration in ms.
 *
 * @example
 * app.use('*', accessLog(logger));
 */
export function accessLog(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    // A Node-style handler wrote the real status on `outgoing`; the Response is only a marker.
    const outgoing = (c.env as { outgoing?: { statusCode?: number } } | undefined)?.outgoing;
    const status = c.res.headers.has(ALREADY_SENT) ? (outgoing?.statusCode ?? c.res.status) : c.res.status;
    const { method, path } = c.req;
    logger.debug({ requestId: requestIdOf(c), method, path, status, ms }, `${method} ${path} ${status} ${ms}ms`);
  };
}
