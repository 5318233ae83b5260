import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { answerStatus } from '@plugboard/plugin-api/internal';
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
    const status = answerStatus(c);
    const { method, path } = c.req;
    logger.debug({ requestId: requestIdOf(c), method, path, status, ms }, `${method} ${path} ${status} ${ms}ms`);
  };
  return (c, next) => (logger.isLevelEnabled('debug') ? log(c, next) : next());
}
