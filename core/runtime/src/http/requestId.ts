/**
 * The request id: the client's `x-request-id` when it is a safe token (letters, digits, `_`, `-`,
 * `=`; at most 255 characters), else a new UUID. The host middleware keeps it as
 * `c.get('requestId')` for logs and error bodies, and sends it back as `x-request-id` on the
 * answer, as Hono's `requestId()` does.
 */
import type { Context } from 'hono';
import { requestHeader } from '@plugboard/plugin-api/internal';

export const REQUEST_ID_HEADER = 'x-request-id';
const MAX_LENGTH = 255;
const UNSAFE = /[^\w\-=]/;

/**
 * The id the request `c` goes by: the one its client sent when that is safe to log and echo,
 * else a new one.
 *
 * @example
 * c.set('requestId', chooseRequestId(c));
 */
export function chooseRequestId(c: Context): string {
  const offered = requestHeader(c, REQUEST_ID_HEADER);
  return offered === undefined || offered === '' || offered.length > MAX_LENGTH || UNSAFE.test(offered) ? crypto.randomUUID() : offered;
}
