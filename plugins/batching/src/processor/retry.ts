/**
 * Which errors are worth retrying, and how long to wait before each retry.
 */

/** Exponential backoff with jitter: attempt n (1-based) waits about `initialMs * multiplier^(n-1)`, capped. */
export interface RetryOptions {
  /** Attempts in all, the first included; 1 means no retry. */
  maxAttempts: number;
  /** Wait before the first retry, in ms. */
  initialDelayMs: number;
  /** Longest wait between two attempts, in ms. */
  maxDelayMs: number;
  /** Growth of the wait per attempt. */
  multiplier: number;
  /** 0..1: the share of each wait that is random ("equal jitter" at 0.5), so retries of many batches spread out. */
  jitter: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 5_000, multiplier: 2, jitter: 0.5 };

/**
 * The wait before retry number `retry` (1 = the first retry), given a random number in [0, 1).
 *
 * @example
 * backoffDelay(3, { ...DEFAULT_RETRY, jitter: 0 }, Math.random); // 400
 */
export function backoffDelay(retry: number, options: RetryOptions, random: () => number): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.multiplier ** (retry - 1));
  return Math.round(base * (1 - options.jitter) + base * options.jitter * random());
}

/** node and node-postgres error codes and messages of a connection that failed or was lost. */
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const LOST_MESSAGES = [/connection terminated/i, /connection timeout/i, /timeout exceeded when trying to connect/i, /client has encountered a connection error/i, /query read timeout/i];

/**
 * True for an error that may go away by itself: a lost or refused connection (SQLSTATE class 08,
 * node's ECONNREFUSED/ECONNRESET, "Connection terminated"), a serialization failure or deadlock
 * (40001, 40P01), too many connections (53300), an administrator or crash shutdown (57P01-57P03),
 * our own statement timeout (57014). Anything else (a constraint violation, bad data) is permanent.
 *
 * @example
 * isTransient(Object.assign(new Error('deadlock'), { code: '40P01' })); // true
 * isTransient(Object.assign(new Error('fk'), { code: '23503' }));       // false
 */
export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (/^08/.test(code) || ['40001', '40P01', '53300', '57P01', '57P02', '57P03', '57014'].includes(code)) return true;
      if (NODE_CODES.has(code)) return true;
    }
    if (LOST_MESSAGES.some((re) => re.test(e.message))) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isTransient(inner))) return true;
  }
  return false;
}
