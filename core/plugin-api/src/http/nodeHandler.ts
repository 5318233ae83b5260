import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Handler } from 'hono';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { requestIdOf } from './requestContext.js';

/** The header of @hono/node-server's RESPONSE_ALREADY_SENT: the answer went out through Node's response. */
export const ALREADY_SENT = 'x-hono-already-sent';

/**
 * Whether the request of `c` was answered straight through Node's response (a `nodeHandler`
 * route, or a client that went away), so the Response the app holds is only a marker. Asks
 * which object it is and Node's response state rather than the marker's headers: looking at a
 * Response's headers makes @hono/node-server build them. Call it once the app answered.
 *
 * @example
 * if (sentThroughNode(c)) return; // the answer has gone out: its headers cannot change
 */
export function sentThroughNode(c: Context): boolean {
  const outgoing = outgoingOf(c);
  if (outgoing === undefined) return false;
  return c.res === RESPONSE_ALREADY_SENT || outgoing.headersSent || outgoing.writableEnded;
}

/**
 * Request header `name` (lower case) of the request of `c`. Read from Node's parsed headers when
 * the request came through @hono/node-server: asking the Request for one header makes it build
 * all of them.
 *
 * @example
 * const offered = requestHeader(c, 'x-request-id');
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming === undefined) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The status the request of `c` was answered with: Node's, when a Node-style handler wrote the
 * answer (the Response is then only a marker), else the Response's.
 *
 * @example
 * logger.debug({ status: answerStatus(c) }, 'answered');
 */
export function answerStatus(c: Context): number {
  return sentThroughNode(c) ? outgoingOf(c)!.statusCode : c.res.status;
}

/** Node's response of the request of `c`, when it came through @hono/node-server. */
function outgoingOf(c: Context): ServerResponse | undefined {
  return (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
}

/**
 * A handler written for Node's http module, such as the Prometheus exporter's. A returned promise
 * is awaited; any other return value is ignored.
 */
export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * Mounts a Node-style handler on a Hono route. It writes straight to Node's response; the route
 * resolves once that response has finished (or its connection closed), so the access log and a
 * graceful shutdown see it as one request. An error thrown before anything was written answers
 * JSON as any route does.
 *
 * @example
 * ctx.http.get('/metrics', nodeHandler((req, res) => exporter.getMetricsRequestHandler(req, res)));
 */
export function nodeHandler(fn: NodeRequestHandler): Handler {
  return async (c) => {
    const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
    const incoming = env?.incoming;
    const outgoing = env?.outgoing;
    if (incoming === undefined || outgoing === undefined) {
      throw new Error(`nodeHandler() serves only requests that came through @hono/node-server, but ${c.req.method} ${c.req.path} has no c.env.incoming/outgoing.`);
    }
    const requestId = requestIdOf(c);
    if (requestId !== undefined) outgoing.setHeader('X-Request-Id', requestId);
    const ended = new Promise<void>((resolve) => {
      outgoing.once('finish', resolve);
      outgoing.once('close', resolve);
    });
    await fn(incoming, outgoing);
    await ended;
    return RESPONSE_ALREADY_SENT;
  };
}
