/**
 * The errors a batched write can end with. Each says what happened and what to do; the routes of
 * plugins/conversations read them by shape (`writeRefusal`, `retryAfterSeconds`), as that plugin
 * cannot import this one.
 */

/** The queue holds `maxQueueSize` writes and the policy is `reject`: nothing was stored. */
export class BatchQueueFullError extends Error {
  override readonly name = 'BatchQueueFullError';
  /** Read by plugins/conversations' routes: a refusal the client may retry after `retryAfterSeconds`. */
  readonly writeRefusal = 'overloaded';
  constructor(
    readonly queueName: string,
    readonly maxQueueSize: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `The '${queueName}' batch queue is full (${maxQueueSize} writes waiting): nothing was stored. Retry after ${retryAfterSeconds} s, or raise plugins.batching.maxQueueSize (or set whenFull: block).`,
    );
  }
}

/** An enqueue after `close()`: the processor takes nothing more. */
export class BatchClosedError extends Error {
  override readonly name = 'BatchClosedError';
  constructor(readonly queueName: string) {
    super(`The '${queueName}' batch queue is closed and takes no more writes: write through the provider below it.`);
  }
}

/**
 * A record the database refused for good (a constraint violation, bad data: not a lost
 * connection). It was split out of its batch and kept in the dead-letter table.
 */
export class DeadLetteredError extends Error {
  override readonly name = 'DeadLetteredError';
  readonly writeRefusal = 'deadLettered';
  constructor(
    readonly itemId: string,
    readonly reason: string,
    options: { cause: unknown; stored: boolean },
  ) {
    super(
      options.stored
        ? `Record '${itemId}' was refused by the database (${reason}) and kept in the dead-letter table: fix the cause, then run 'plugboard batching replay'.`
        : `Record '${itemId}' was refused by the database (${reason}), and keeping it in the dead-letter table failed too: see the log.`,
      { cause: options.cause },
    );
  }
}

/** A batch kept failing with transient errors until the retry budget ran out; its outcome may be unknown. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  constructor(
    readonly attempts: number,
    cause: unknown,
  ) {
    super(
      `A batched write failed ${attempts} times with transient errors (last: ${cause instanceof Error ? cause.message : String(cause)}): retry it with the same id (a stored record is neither stored nor counted twice).`,
      { cause },
    );
  }
}
