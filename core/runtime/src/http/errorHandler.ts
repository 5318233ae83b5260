import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Counter } from '@opentelemetry/api';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context, ErrorHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import { databaseUnavailableError, unavailableReason } from '../database/unavailable.js';
import { codeForStatus, errorResponse } from './errorResponse.js';
import { requestIdOf } from '@plugboard/plugin-api';

/** Seconds a client is told to wait (Retry-After) when the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

export interface ErrorHandlerOptions {
  /** Told of every "database unavailable" error, which it logs once per outage. Without it each is logged at warn. */
  outage?: { report(err: Error): void };
  /** Counts requests whose client went away before the answer (`plugboard.http.client_aborts`). */
  clientAborts?: Counter;
}

/** The shape of hono's HTTPException, checked by shape so a plugin bundling its own hono copy still maps. */
interface HttpExceptionLike extends Error {
  status: ContentfulStatusCode;
  res?: Response;
  code?: unknown;
  details?: unknown;
}

function isHttpException(err: Error): err is HttpExceptionLike {
  return 'getResponse' in err && typeof (err as { status?: unknown }).status === 'number';
}

/**
 * A JSON.parse failure on a request whose body was read. Plugin routes call `c.req.json()`
 * directly; its SyntaxError is the client's fault, so it answers 400 rather than 500.
 */
function isMalformedBody(err: Error, c: Context): boolean {
  return err instanceof SyntaxError && c.req.raw.bodyUsed;
}

/**
 * The client closed the connection before its request was read or answered: reading the body
 * fails with node's "aborted" (ECONNRESET). Nobody is left to answer, and nothing is wrong here.
 */
function isClientAbort(err: Error, c: Context): boolean {
  const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  const gone = env?.outgoing?.destroyed === true || (env?.incoming?.destroyed === true && env.incoming.complete !== true);
  if (!gone) return false;
  const code = (err as { code?: unknown }).code;
  return err.message === 'aborted' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || err.name === 'AbortError';
}

/** Headers an exception's own response carries (for example `WWW-Authenticate`), kept on the JSON answer. */
function copyHeaders(from: Response | undefined, to: Response): Response {
  if (from === undefined) return to;
  for (const [name, value] of from.headers) {
    if (name !== 'content-type' && name !== 'content-length') to.headers.set(name, value);
  }
  return to;
}

/**
 * Turns any error thrown by a route into a JSON error answer. ApiError keeps its status, code and
 * message; other HTTP exceptions get a code from their status; a `serviceUnavailable`
 * PlugboardError (a ref with no provider) answers 503; a database that cannot answer (down,
 * restarting, frozen past the timeouts: see database/unavailable.ts) answers 503
 * `database_unavailable` with Retry-After and is logged once per outage by `options.outage`; a
 * client that went away is logged at debug and counted, and gets no answer; anything else is
 * logged with its stack and answers a 500 that names the request id, so the log line can be found.
 *
 * @example
 * app.onError(createErrorHandler(logger, { outage: database.outage, clientAborts }));
 */
export function createErrorHandler(logger: Logger, options: ErrorHandlerOptions = {}): ErrorHandler {
  return (err, c) => {
    const requestId = requestIdOf(c);
    const where = { requestId, method: c.req.method, path: c.req.path };
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (isClientAbort(err, c)) {
      logger.debug({ ...where, reason: err.message }, `The client of ${c.req.method} ${c.req.path} went away before its answer.`);
      options.clientAborts?.add(1);
      // For the request duration metric: nginx's "client closed request".
      if (outgoing !== undefined && !outgoing.headersSent) outgoing.statusCode = 499;
      return RESPONSE_ALREADY_SENT;
    }
    if (outgoing?.headersSent === true) {
      // A Node-style handler began its answer before failing: no JSON can follow, so cut it short.
      logger.error({ ...where, err }, `Request failed after its answer began: ${err.message}`);
      if (!outgoing.writableEnded) outgoing.destroy();
      return RESPONSE_ALREADY_SENT;
    }
    if (isHttpException(err)) {
      const status = err.status;
      if (status >= 500) logger.error({ ...where, err }, `Request failed with status ${status}: ${err.message}`);
      else logger.debug({ ...where, status }, `Request rejected: ${err.message}`);
      if (typeof err.code === 'string') return copyHeaders(err.res, errorResponse(c, status, err.code, err.message, err.details));
      const message = err.message === '' ? `${STATUS_CODES[status] ?? `HTTP ${status}`}.` : err.message;
      return copyHeaders(err.res, errorResponse(c, status, codeForStatus(status), message));
    }
    if (PlugboardError.is(err, 'serviceUnavailable')) {
      // No provider for a ref right now (a plugin is stopping or failed): the client may retry.
      logger.warn({ ...where, err }, `Request failed: ${err.message}`);
      return errorResponse(c, 503, 'service_unavailable', err.message);
    }
    const down = databaseUnavailableError(err);
    if (down !== undefined) {
      if (options.outage === undefined) logger.warn({ ...where, err }, `The database is unavailable: ${unavailableReason(down)}.`);
      else options.outage.report(down);
      const response = errorResponse(
        c,
        503,
        'database_unavailable',
        `The database is unavailable (${unavailableReason(down)}): the request may not have taken effect. Retry it after ${DATABASE_RETRY_AFTER_SECONDS} s.`,
      );
      response.headers.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      return response;
    }
    if (isMalformedBody(err, c)) {
      logger.debug({ ...where }, `Malformed JSON body: ${err.message}`);
      return errorResponse(c, 400, 'malformed_json', `The request body is not valid JSON: ${err.message}`);
    }
    logger.error({ ...where, err }, `Unhandled error in ${c.req.method} ${c.req.path}: ${err.message}`);
    const ref = requestId === undefined ? '' : ` (request id ${requestId})`;
    return errorResponse(c, 500, 'internal_error', `Internal server error${ref}.`);
  };
}
