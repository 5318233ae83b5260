/**
 * Which errors mean "the database cannot answer right now" rather than "this query is wrong".
 * The first kind is the server's state, not the request's fault: it answers 503 with Retry-After
 * and is logged once per outage (see DatabaseOutage), where a bad query stays a 500 with a stack.
 */

/** Sequelize's connection errors, by class name (checked by name, so any copy of Sequelize maps). */
const CONNECTION_ERRORS = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionTimedOutError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
  'SequelizeInvalidConnectionError',
]);

/** Socket errors of a connection that went away or never came. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a server that is shutting down, starting, or lost the connection: 57P01
 * admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections,
 * and the whole 08 class (connection exception).
 */
function isUnavailableState(code: string): boolean {
  return code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || code.startsWith('08');
}

/** What node-postgres says, without a code, when a connection dies or a client-side timeout fires. */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^Query read timeout$/,
  /^timeout exceeded when trying to connect$/,
  /^timeout expired$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
];

/** 57014 query_canceled is ours only when our statement_timeout fired, not a cancel someone asked for. */
const STATEMENT_TIMEOUT = /statement timeout/;

function unavailableHere(err: Error): boolean {
  if (CONNECTION_ERRORS.has(err.name)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || isUnavailableState(code)) return true;
    if (code === '57014' && STATEMENT_TIMEOUT.test(err.message)) return true;
  }
  return DRIVER_MESSAGES.some((pattern) => pattern.test(err.message));
}

/**
 * The error that says the database is unavailable, found in `err`, the driver error Sequelize
 * wraps (`original`, `parent`), its `cause` chain or an AggregateError's parts; undefined when
 * `err` is not about the database being unavailable.
 *
 * @example
 * const down = databaseUnavailableError(err);
 * if (down !== undefined) return errorResponse(c, 503, 'database_unavailable', `... ${down.message} ...`);
 */
export function databaseUnavailableError(err: unknown): Error | undefined {
  const seen = new Set<unknown>();
  const visit = (e: unknown): Error | undefined => {
    if (!(e instanceof Error) || seen.has(e)) return undefined;
    seen.add(e);
    if (unavailableHere(e)) return e;
    const inner = e as { original?: unknown; parent?: unknown; cause?: unknown };
    for (const next of [inner.original, inner.parent, inner.cause]) {
      const found = visit(next);
      if (found !== undefined) return found;
    }
    if (e instanceof AggregateError) {
      for (const part of e.errors) {
        const found = visit(part);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return visit(err);
}

/**
 * The driver's words for `err`, without a trailing full stop: the sentence around it adds one.
 * An AggregateError (a host name with several addresses, all refused) has no message of its own.
 */
export function driverMessage(err: unknown): string {
  const original = (err as { original?: unknown } | undefined)?.original ?? err;
  let message = original instanceof Error ? original.message : String(original);
  if (message === '' && original instanceof AggregateError) {
    message = original.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
  }
  return message.trim().replace(/\.$/, '') || 'no message from the driver';
}

/**
 * Why the database is unavailable, in words an operator can act on: the timeouts name the config
 * key that set them; anything else is the driver's own message.
 *
 * @example
 * unavailableReason(new ConnectionAcquireTimeoutError(new Error('Operation timeout')));
 * // 'no pooled connection came free within database.acquireTimeout'
 */
export function unavailableReason(err: Error): string {
  if (err.name === 'SequelizeConnectionAcquireTimeoutError') return 'no pooled connection came free within database.acquireTimeout';
  const message = driverMessage(err);
  if (message === 'Query read timeout') return 'no answer within database.statementTimeout and its 1 s grace';
  if (message === 'timeout expired') return 'opening a connection took longer than database.acquireTimeout';
  if ((err as { code?: unknown }).code === '57014') return `${message} (database.statementTimeout)`;
  return message;
}
