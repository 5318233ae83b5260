/**
 * The domain's errors. ConversationService, the cursors and the writers throw these, never HTTP
 * errors: the routes map each kind to a status and a snake_case code in one place, so the domain
 * can be called from a CLI command, a task or another plugin without an HTTP context.
 */

/** What went wrong in the domain, as a stable machine-readable code. */
export type ConversationsErrorKind =
  /** A user is blocked, so their conversations are refused. */
  | 'userBlocked'
  /** No user has the id asked for. */
  | 'userNotFound'
  /** Some conversations of a request were not stored; retrying with the same ids is safe. */
  | 'notStored'
  /** A page cursor is malformed or holds impossible values. */
  | 'invalidCursor';

export interface ConversationsErrorOptions {
  cause?: unknown;
  /** Structured facts for logs and the error body (ids, the parameter at fault). */
  details?: Record<string, unknown>;
}

/**
 * @example
 * throw new ConversationsError('userNotFound', `User '${id}' does not exist: check the id.`, { details: { userId: id } });
 */
export class ConversationsError extends Error {
  override readonly name = 'ConversationsError';
  readonly kind: ConversationsErrorKind;
  readonly details: Record<string, unknown>;

  constructor(kind: ConversationsErrorKind, message: string, options: ConversationsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.details = options.details ?? {};
  }

  /** No user has the id `userId`; the one message for it, whether a read or a route finds out. */
  static userNotFound(userId: number): ConversationsError {
    return new ConversationsError('userNotFound', `User '${userId}' does not exist: check the id.`, { details: { userId } });
  }

  /** True when `err` is a ConversationsError, and of `kind` when one is given (checked by shape, across copies). */
  static is(err: unknown, kind?: ConversationsErrorKind): err is ConversationsError {
    if (!(err instanceof Error) || err.name !== 'ConversationsError') return false;
    const errKind = (err as { kind?: unknown }).kind;
    return typeof errKind === 'string' && (kind === undefined || errKind === kind);
  }
}

/**
 * Why a writer (a batching one) refused a write, told by the shape of the error it rejected with,
 * since such a writer lives in a plugin this one cannot import: `overloaded` (its queue is full;
 * nothing was stored; retry after `retryAfterSeconds`) or `deadLettered` (the database refused
 * the record for good; it was kept aside, and retrying as is will not help).
 */
export interface WriterRefusal {
  writeRefusal: 'overloaded' | 'deadLettered';
  message: string;
  retryAfterSeconds?: number;
}

function isWriterRefusal(err: unknown): err is WriterRefusal {
  const kind = (err as { writeRefusal?: unknown } | null)?.writeRefusal;
  return err instanceof Error && (kind === 'overloaded' || kind === 'deadLettered');
}

/** The writer refusals behind a `notStored` error (its cause, or the errors of an AggregateError cause). */
export function writerRefusalsOf(err: ConversationsError): WriterRefusal[] {
  const cause = err.cause;
  const causes = cause instanceof AggregateError ? cause.errors : [cause];
  return causes.filter(isWriterRefusal);
}
