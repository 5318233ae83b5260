import { STATUS_CODES } from 'node:http';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody } from '@plugboard/plugin-api';
import { requestIdOf } from '@plugboard/plugin-api';

/**
 * The JSON error answer every part of the host gives: `{ "error": { "code", "message", "requestId" } }`.
 *
 * @example
 * return errorResponse(c, 404, 'not_found', `No route matches GET /nope.`);
 */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: unknown,
): Response {
  const body: ErrorBody = { error: { code, message } };
  const requestId = requestIdOf(c);
  if (requestId !== undefined) body.error.requestId = requestId;
  if (details !== undefined) body.error.details = details;
  return c.json(body, status);
}

/** A snake_case code for an HTTP status: 413 -> `payload_too_large`, 500 -> `internal_error`. */
export function codeForStatus(status: number): string {
  if (status === 500) return 'internal_error';
  const text = STATUS_CODES[status];
  if (text === undefined) return `http_${status}`;
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}
