export interface FailureWindowOptions {
  maxFailures: number;
  windowMs: number;
  /** Default 10,000. */
  maxKeys?: number;
  /** The clock, in ms; `performance.now` by default. */
  now?: () => number;
}

interface Entry {
  openedAt: number;
  failures: number;
}

/**
 * Counts failures per key (a client address) in fixed windows, for throttling guessing. A window
 * opens at a key's first failure and lasts `windowMs`; once a key has `maxFailures` in its window
 * it is blocked until the window ends. A success clears the key. At most `maxKeys` keys are kept
 * (expired ones go first, then the oldest), so a flood of addresses cannot grow memory without end.
 *
 * @example
 * const failures = new FailureWindow({ maxFailures: 10, windowMs: 300_000 });
 * if (failures.blockedForMs(ip) > 0) return tooMany();
 * if (!ok) failures.fail(ip);
 */
export class FailureWindow {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: FailureWindowOptions) {
    this.maxFailures = options.maxFailures;
    this.windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** How long `key` stays blocked, in ms; 0 when it may try. */
  blockedForMs(key: string): number {
    const entry = this.#current(key);
    if (entry === undefined || entry.failures < this.maxFailures) return 0;
    return entry.openedAt + this.windowMs - this.#now();
  }

  /**
   * Records a failure of `key`: `failures` in its window so far (1 for the first of a window) and
   * `blockedForMs`, more than 0 once this failure reached the limit.
   */
  fail(key: string): { failures: number; blockedForMs: number } {
    let entry = this.#current(key);
    if (entry === undefined) {
      this.#makeRoom();
      entry = { openedAt: this.#now(), failures: 0 };
      this.#entries.set(key, entry);
    }
    entry.failures += 1;
    return { failures: entry.failures, blockedForMs: this.blockedForMs(key) };
  }

  /** Forgets the failures of `key`. */
  succeed(key: string): void {
    this.#entries.delete(key);
  }

  /** Keys held, expired ones included until they are swept. */
  get size(): number {
    return this.#entries.size;
  }

  #current(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() - entry.openedAt < this.windowMs) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  #makeRoom(): void {
    if (this.#entries.size < this.#maxKeys) return;
    // Keys are inserted when their window opens, so the map is in opening order: expired windows
    // sit at the front, and sweeping stops at the first live one. Each key is swept once, so a
    // flood of new addresses costs O(1) per failure, not a scan of every key held.
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (now - entry.openedAt < this.windowMs && this.#entries.size < this.#maxKeys) break;
      this.#entries.delete(key);
    }
  }
}
