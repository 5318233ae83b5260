import type { Logger } from 'pino';
import { unavailableReason } from './unavailable.js';

export interface DatabaseOutageOptions {
  logger: Logger;
  /** Resolves when the database answers; the outage ends at the first ping that does. */
  ping: () => Promise<void>;
  /** Time between pings while the database is unavailable. Default 1000 ms. */
  checkEveryMs?: number;
}

/**
 * Logs a database outage once, not once per failed request: one warn when the first
 * "unavailable" error is reported, then a ping every `checkEveryMs` until one answers with no
 * failure reported during the interval before it, and one info that says how long it lasted and
 * how many requests failed meanwhile. During an outage
 * every request that needs the database fails, so a line per request would bury the one that
 * says what happened.
 *
 * @example
 * const outage = new DatabaseOutage({ logger, ping: () => db.ping() });
 * try { await work(); } catch (err) { if (databaseUnavailableError(err)) outage.report(err); throw err; }
 */
export class DatabaseOutage {
  readonly #logger: Logger;
  readonly #ping: () => Promise<void>;
  readonly #checkEveryMs: number;
  #since: number | undefined;
  #lastFailure = 0;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: DatabaseOutageOptions) {
    this.#logger = options.logger;
    this.#ping = options.ping;
    this.#checkEveryMs = options.checkEveryMs ?? 1000;
  }

  /** True between the first reported failure and the ping that answers. */
  get active(): boolean {
    return this.#since !== undefined;
  }

  /** Counts one failure of an outage; the first of an outage is logged and starts the pings. */
  report(err: Error): void {
    this.#failures += 1;
    this.#lastFailure = performance.now();
    if (this.#since !== undefined || this.#closed) return;
    this.#since = performance.now();
    this.#logger.warn(
      { err },
      `The database is unavailable: ${unavailableReason(err)}. Requests that need it answer 503 database_unavailable until it answers again (checked every ${this.#checkEveryMs} ms); this is logged once per outage.`,
    );
    this.#schedule();
  }

  /** Stops the pings (the pool is closing). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#check(), this.#checkEveryMs);
    // An outage must not keep a process alive that has nothing else to do.
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    try {
      await this.#ping();
    } catch {
      if (!this.#closed) this.#schedule();
      return;
    }
    // A ping can pass while requests still fail (a lock holds them past the statement timeout, the
    // pool is exhausted): the outage ends only once a whole interval went by without a failure.
    if (performance.now() - this.#lastFailure < this.#checkEveryMs) {
      if (!this.#closed) this.#schedule();
      return;
    }
    const downMs = Math.round(performance.now() - (this.#since ?? performance.now()));
    const failures = this.#failures;
    this.#since = undefined;
    this.#failures = 0;
    this.#logger.info(
      { downMs, failures },
      `The database answers again after ${(downMs / 1000).toFixed(1)} s; ${failures} request(s) failed with database_unavailable meanwhile.`,
    );
  }
}
