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
