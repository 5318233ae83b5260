/**
 * Time as plugins should read it: `ctx.get(coreServices.clock)`. In production it is the system
 * clock; the test harness installs a clock that tests move by hand (`clock.advance('5m')`), so
 * tasks, alert rules and anything else timed through it can be tested without waiting.
 */

/** A timer set through a {@link Clock}. */
export interface ClockTimer {
  /** Stops the timer; calling it after the timer fired, or twice, does nothing. */
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch, as `Date.now()`. */
  now(): number;
  /**
   * Calls `fn` once, `ms` milliseconds from now on this clock. A real clock's timer does not keep
   * the process alive (it is `unref`ed).
   *
   * @example
   * const clock = ctx.get(coreServices.clock);
   * const timer = clock.setTimeout(() => evaluate(), 15_000);
   * ctx.onStop(() => timer.cancel());
   */
  setTimeout(fn: () => void, ms: number): ClockTimer;
}

/** The system clock: `Date.now()` and unref'ed `setTimeout`. What `coreServices.clock` is outside tests. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer = setTimeout(fn, ms);
    timer.unref?.();
    return { cancel: () => clearTimeout(timer) };
  },
});
