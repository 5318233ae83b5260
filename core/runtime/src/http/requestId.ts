/**
 * The request id: the client's `x-request-id` when it is a safe token (letters, digits, `_`, `-`,
 * `=`; at most 255 characters), else a new UUID. Kept as `c.get('requestId')` for logs and error
 * bodies, and sent back as `x-request-id` on the answer.
 */
import type { MiddlewareHandler } from 'hono';
import { requestHeader } from '@plugboard/plugin-api/internal';
import { setAnswerHeader } from './answerHeaders.js';

const HEADER = 'x-request-id';
const MAX_LENGTH = 255;
const UNSAFE = /[^\w\-=]/;

/**
 * Hono's `requestId()` with the header set on the answer after it exists (see answerHeaders.ts).
 *
 * @example
 * app.use('*', requestId());
 */
export function requestId(): MiddlewareHandler {
  return async (c, next) => {
    const offered = requestHeader(c, HEADER);
    const id = offered === undefined || offered === '' || offered.length > MAX_LENGTH || UNSAFE.test(offered) ? crypto.randomUUID() : offered;
    c.set('requestId', id);
    await next();
    setAnswerHeader(c, HEADER, id);
  };
}
