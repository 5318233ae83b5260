import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error a route throws to answer with `{ "error": { "code", "message" } }` and `status`.
 * The app host turns it into that JSON body; any other thrown error becomes a logged 500.
 *
 * @example
 * if (!user) throw new ApiError(404, 'user_not_found', `User '${id}' does not exist.`);
 */
export class ApiError extends HTTPException {
  readonly code: string;
  readonly details?: unknown;

  constructor(status: ContentfulStatusCode, code: string, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(status, { message, cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; requestId?: string; details?: unknown };
}
