/**
 * Headers the host adds to every answer (`x-request-id`, `traceresponse`) once the app answered.
 * Setting them on the answer itself, rather than with `c.header()` before it exists, lets a plugin
 * app's Response go out as it came: Hono merges headers set beforehand only by rebuilding the
 * Response around its body, which makes @hono/node-server stream a body it could write at once.
 */
import type { Context } from 'hono';
import { sentThroughNode } from '@plugboard/plugin-api/internal';

/**
 * Sets header `name` on the answer of `c`. A `nodeHandler` answer has gone out already and is
 * left alone; an answer whose headers are immutable (`Response.redirect()`, a `fetch()` answer
 * passed through) is copied first.
 *
 * @example
 * await next();
 * setAnswerHeader(c, 'x-request-id', id);
 */
export function setAnswerHeader(c: Context, name: string, value: string): void {
  if (sentThroughNode(c)) return;
  const res = c.res;
  try {
    res.headers.set(name, value);
  } catch {
    const copy = new Response(res.body, res);
    copy.headers.set(name, value);
    // Cleared first: assigning over an answer would have Hono rebuild the copy once more.
    c.res = undefined;
    c.res = copy;
  }
}
