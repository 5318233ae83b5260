import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler } from 'hono';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { requestIdOf } from './requestContext.js';

/** The header of @hono/node-server's RESPONSE_ALREADY_SENT: the answer went out through Node's response. */
export const ALREADY_SENT = 'x-hono-already-sent';

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
