import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { outgoingOf, sentThroughNode } from '@plugboard/plugin-api/internal';
import { requestIdOf } from '@plugboard/plugin-api';

/**
 * Logs every request at debug level with its method, path, status and duration in ms. While the
 * logger is above debug (asked per request, so a level changed at run time applies at once) it
 * only passes the request on.
 *
 * @example
 * app.use('*', accessLog(logger));
 */
export function accessLog(logger: Logger): MiddlewareHandler {
  const log = async (c: Parameters<MiddlewareHandler>[0], next: () => Promise<void>): Promise<void> => {
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    // A Node-style handler wrote the real status on `outgoing`; the Response is only a marker.
    const status = sentThroughNode(c) ? outgoingOf(c)!.statusCode : c.res.status;
    const { method, path } = c.req;
    logger.debug({ requestId: requestIdOf(c), method, path, status, ms }, `${method} ${path} ${status} ${ms}ms`);
  };
  return (c, next) => (logger.isLevelEnabled('debug') ? log(c, next) : next());
}
