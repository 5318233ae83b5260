import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error a route throws to answer with `{ "error": { "code", "message" } }` and `status`.
 * The app host turns it into that JSON body; any other thrown error becomes a logged 500.
 *
 * @example
 * if (!user) throw new ApiError(404, 'user_not_found', `User '${id}' does not exist.`);
 * throw new ApiError(503, 'overloaded', 'Too many writes waiting: retry in 2 s.', { headers: { 'Retry-After': '2' } });
 */
export class ApiError extends HTTPException {
  readonly code: string;
  readonly details?: unknown;

  /**
   * `headers` are set on the JSON answer (for example `{ 'Retry-After': '2' }` on a 503).
   */
  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { cause?: unknown; details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(status, {
      message,
      cause: options.cause,
      ...(options.headers === undefined ? {} : { res: new Response(null, { status, headers: options.headers }) }),
    });
    this.code = code;
    this.details = options.details;
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; requestId?: string; details?: unknown };
}
