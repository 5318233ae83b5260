import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './errorResponse.js';

/** Said by every admin route, and logged once, while no admin token is configured. */
export const ADMIN_OFF_MESSAGE =
  'The admin API is off because no admin token is configured. Set server.adminToken in the config or the PLUGBOARD_ADMIN_TOKEN environment variable to turn it on.';

const REALM = 'Bearer realm="plugboard-admin"';

/** Equal-length digests, so comparing them takes the same time whatever the token's length or content. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Guards the admin routes with a bearer token compared in constant time. Without a token every
 * admin route answers 404 `admin_api_disabled`, saying how to turn the API on.
 *
 * @example
 * admin.use('*', adminAuth(process.env.PLUGBOARD_ADMIN_TOKEN));
 */
export function adminAuth(token: string | undefined): MiddlewareHandler {
  if (token === undefined || token === '') {
    return async (c) => errorResponse(c, 404, 'admin_api_disabled', ADMIN_OFF_MESSAGE);
  }
  const expected = digest(token);
  return async (c, next) => {
    const given = /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (given === undefined) {
      c.header('WWW-Authenticate', REALM);
      return errorResponse(c, 401, 'unauthorized', "The admin API needs a bearer token: send the header 'Authorization: Bearer <token>'.");
    }
    if (!timingSafeEqual(digest(given), expected)) {
      c.header('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      return errorResponse(c, 401, 'invalid_token', 'The bearer token does not match the configured admin token.');
    }
    await next();
    return undefined;
  };
}
