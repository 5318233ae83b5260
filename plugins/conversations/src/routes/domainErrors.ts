/**
 * The one place where the domain's errors become HTTP answers: each {@link ConversationsError}
 * kind has its status and snake_case code here, and every route of the plugin is served by an app
 * whose error handler applies it. Anything else (validation's ApiErrors, bugs) goes on unchanged
 * to the host, which answers it as it answers every plugin's errors.
 */
import { ApiError } from '@plugboard/plugin-api';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ConversationsError, writerRefusalsOf, type ConversationsErrorKind } from '../errors.js';

interface HttpMapping {
  status: ContentfulStatusCode;
  code: string;
  /** Prefix of the message: where the value at fault was in the request, as validation errors name it. */
  field?: 'query.';
}

const HTTP: Record<ConversationsErrorKind, HttpMapping> = {
  userBlocked: { status: 403, code: 'user_blocked' },
  userNotFound: { status: 404, code: 'user_not_found' },
  notStored: { status: 503, code: 'not_stored' },
  // Cursors are query parameters (`before`, `after`), refused like any other bad parameter.
  invalidCursor: { status: 400, code: 'invalid_request', field: 'query.' },
};

/**
 * The ApiError a domain error answers as; any other value is returned unchanged.
 *
 * @example
 * toHttpError(ConversationsError.userNotFound(7)); // ApiError 404 user_not_found "User '7' does not exist: check the id."
 */
export function toHttpError(err: unknown): unknown {
  if (!ConversationsError.is(err)) return err;
  if (err.kind === 'notStored') return refusalAnswer(err) ?? mapped(err);
  return mapped(err);
}

function mapped(err: ConversationsError): ApiError {
  const { status, code, field = '' } = HTTP[err.kind];
  return new ApiError(status, code, `${field}${err.message}`, { cause: err });
}

/**
 * A write a (batching) writer refused: when its queue was full, 503 `overloaded` with Retry-After
 * (nothing of those was stored); when the database refused a record for good and it was kept in a
 * dead-letter table, 422 `dead_lettered` (retrying it unchanged cannot help). Else undefined.
 */
function refusalAnswer(err: ConversationsError): ApiError | undefined {
  const refusals = writerRefusalsOf(err);
  const ids = ((err.details['conversationIds'] as string[] | undefined) ?? []).map((id) => `'${id}'`).join(', ');
  const overloaded = refusals.find((r) => r.writeRefusal === 'overloaded');
  if (overloaded !== undefined) {
    const retryAfter = String(Math.max(1, Math.ceil(overloaded.retryAfterSeconds ?? 1)));
    return new ApiError(503, 'overloaded', `Conversations ${ids} were not stored: ${overloaded.message}`, { cause: err, headers: { 'Retry-After': retryAfter } });
  }
  const dead = refusals.find((r) => r.writeRefusal === 'deadLettered');
  if (dead !== undefined) return new ApiError(422, 'dead_lettered', `Conversations ${ids} were not stored: ${dead.message}`, { cause: err });
  return undefined;
}

/**
 * A Hono app for the plugin's routes, mounted with `ctx.http.route('/', app)`. Its error handler
 * rethrows, mapped, so the host's handler still writes the body (`{ error: { code, message, requestId } }`).
 *
 * @example
 * const api = domainErrorsApp();
 * api.get('/api/users/:id', handler);
 * ctx.http.route('/', api);
 */
export function domainErrorsApp(): Hono {
  const app = new Hono();
  app.onError((err) => {
    throw toHttpError(err);
  });
  return app;
}
