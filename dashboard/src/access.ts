/**
 * Who may read the dashboard. On a loopback address only local users reach it, so it is open;
 * once the server listens beyond loopback it needs the admin token, unless the config says it is
 * public (`plugins.dashboard.public: true`). Actions always need the token: they are the admin
 * API's own routes, which check it themselves.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { RuntimeInfo } from '@plugboard/plugin-api';

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and localhost: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Whether the dashboard's data needs the admin token now. */
export function needsToken(runtime: RuntimeInfo, isPublic: boolean): boolean {
  return !isPublic && !isLoopback(runtime.server().host);
}

function clientAddress(c: Context): string {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress ?? 'unknown';
}

/** The access verdict for this request: 'ok', or what to answer instead. */
export function checkAccess(c: Context, runtime: RuntimeInfo, isPublic: boolean): 'ok' | Response {
  if (!needsToken(runtime, isPublic)) return 'ok';
  const verdict = runtime.authorizeAdmin(c.req.header('authorization'), clientAddress(c));
  const { host } = runtime.server();
  switch (verdict) {
    case 'ok':
      return 'ok';
    case 'off':
      return c.json(
        {
          error: {
            code: 'dashboard_closed',
            message: `The server listens on '${host}', beyond the loopback address, and no admin token is configured, so the dashboard is closed. Set server.adminToken, or plugins.dashboard.public: true to show it to anyone who can reach the server.`,
          },
        },
        403,
      );
    case 'throttled':
      return c.json(
        { error: { code: 'too_many_requests', message: 'Too many failed admin authentications from this address; try again later with the right token.' } },
        429,
      );
    default:
      c.header('WWW-Authenticate', 'Bearer realm="plugboard-dashboard"');
      return c.json(
        {
          error: {
            code: verdict === 'missing' ? 'unauthorized' : 'invalid_token',
            message:
              verdict === 'missing'
                ? `The server listens on '${host}', beyond the loopback address, so the dashboard needs the admin token: send 'Authorization: Bearer <token>' (the page asks for it).`
                : 'The bearer token does not match the configured admin token.',
          },
        },
        401,
      );
  }
}

/** A middleware that lets a request through only when {@link checkAccess} says 'ok'. */
export function requireAccess(runtime: RuntimeInfo, isPublic: boolean): MiddlewareHandler {
  return async (c, next) => {
    const verdict = checkAccess(c, runtime, isPublic);
    if (verdict !== 'ok') return verdict;
    await next();
    return undefined;
  };
}
