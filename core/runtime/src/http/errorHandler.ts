import { STATUS_CODES, type ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context, ErrorHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import { codeForStatus, errorResponse } from './errorResponse.js';
import { requestIdOf } from '@plugboard/plugin-api';

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
 * PlugboardError (a ref with no provider) answers 503; anything else is logged with its
 * stack and answers a 500 that names the request id, so the log line can be found.
 *
 * @example
 * app.onError(createErrorHandler(logger));
 */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    const requestId = requestIdOf(c);
    const where = { requestId, method: c.req.method, path: c.req.path };
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
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
      if (typeof err.code === 'string') return errorResponse(c, status, err.code, err.message, err.details);
      const message = err.message === '' ? `${STATUS_CODES[status] ?? `HTTP ${status}`}.` : err.message;
      return copyHeaders(err.res, errorResponse(c, status, codeForStatus(status), message));
    }
    if (PlugboardError.is(err, 'serviceUnavailable')) {
      // No provider for a ref right now (a plugin is stopping or failed): the client may retry.
      logger.warn({ ...where, err }, `Request failed: ${err.message}`);
      return errorResponse(c, 503, 'service_unavailable', err.message);
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
