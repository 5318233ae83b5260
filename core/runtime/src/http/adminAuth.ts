import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { errorResponse } from './errorResponse.js';
import { FailureWindow } from './failureWindow.js';

/** Said by every admin route, and logged once, while no admin token is configured. */
export const ADMIN_OFF_MESSAGE =
  'The admin API is off because no admin token is configured. Set server.adminToken in the config or the PLUGBOARD_ADMIN_TOKEN environment variable to turn it on.';

const REALM = 'Bearer realm="plugboard-admin"';

export interface AdminAuthOptions {
  /** Failed authentications are logged here, at most twice per address and window. */
  logger: Logger;
  /** Failures one address may make within `failureWindowMs` before it gets 429 (`server.adminMaxFailures`). Default 10. */
  maxFailures?: number;
  /** `server.adminFailureWindow`, in ms. Default 5 minutes. */
  failureWindowMs?: number;
  /** The clock of the failure window (tests). */
  now?: () => number;
}

/** Equal-length digests, so comparing them takes the same time whatever the token's length or content. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * The address of the client's TCP connection. Behind a reverse proxy that is the proxy's: the
 * forwarded headers are not trusted, since any client can set them.
 */
function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket.remoteAddress ?? 'unknown';
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * Guards the admin routes with a bearer token compared in constant time, and throttles guessing:
 * after `maxFailures` failed attempts from one client address within `failureWindowMs` (counted
 * from its first failure), every admin request from that address answers 429 with Retry-After,
 * even with the right token, until the window ends. A success before the limit clears the count.
 * The first failure of a window and the one that reaches the limit are logged at warn.
 * Without a token every admin route answers 404 `admin_api_disabled`, saying how to turn the API on.
 *
 * @example
 * admin.use('*', adminAuth(process.env.PLUGBOARD_ADMIN_TOKEN, { logger }));
 */
export function adminAuth(token: string | undefined, options: AdminAuthOptions): MiddlewareHandler {
  if (token === undefined || token === '') {
    return async (c) => errorResponse(c, 404, 'admin_api_disabled', ADMIN_OFF_MESSAGE);
  }
  const { logger } = options;
  const expected = digest(token);
  const failures = new FailureWindow({
    maxFailures: options.maxFailures ?? 10,
    windowMs: options.failureWindowMs ?? 300_000,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const limit = `${failures.maxFailures} failures within ${seconds(failures.windowMs)}`;

  const tooMany = (c: Context, address: string, blockedMs: number) => {
    const retryAfter = Math.max(1, Math.ceil(blockedMs / 1000));
    c.header('Retry-After', String(retryAfter));
    return errorResponse(
      c,
      429,
      'too_many_requests',
      `Too many failed admin authentications from '${address}' (${limit}). Try again in ${retryAfter} s, with the right token.`,
    );
  };

  const failed = (address: string, code: 'unauthorized' | 'invalid_token') => {
    const { failures: count, blockedForMs } = failures.fail(address);
    if (blockedForMs > 0) {
      logger.warn(
        { address, failures: count },
        `${count} failed admin authentication(s) from '${address}' within ${seconds(failures.windowMs)}; answering its admin requests 429 for ${seconds(blockedForMs)}.`,
      );
    } else if (count === 1) {
      logger.warn(
        { address, code },
        `Failed admin authentication from '${address}' (${code}). After ${limit} the address is answered 429 until the window ends.`,
      );
    }
  };

  return async (c, next) => {
    const address = clientAddress(c);
    const blockedMs = failures.blockedForMs(address);
    if (blockedMs > 0) return tooMany(c, address, blockedMs);
    const given = /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (given === undefined) {
      failed(address, 'unauthorized');
      c.header('WWW-Authenticate', REALM);
      return errorResponse(c, 401, 'unauthorized', "The admin API needs a bearer token: send the header 'Authorization: Bearer <token>'.");
    }
    if (!timingSafeEqual(digest(given), expected)) {
      failed(address, 'invalid_token');
      c.header('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      return errorResponse(c, 401, 'invalid_token', 'The bearer token does not match the configured admin token.');
    }
    failures.succeed(address);
    await next();
    return undefined;
  };
}
