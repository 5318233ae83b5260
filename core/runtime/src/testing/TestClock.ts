/**
 * A clock that tests move by hand. Hand it to `startTestKernel({ clock })` and it becomes
 * `coreServices.clock`, which the kernel's task scheduler, the alert engine and any plugin that
 * reads time through the clock all use: `await clock.advance('5m')` runs five minutes of tasks
 * and rule evaluations at once, in order, without waiting.
 */
import type { Clock, ClockTimer, Duration } from '@plugboard/plugin-api';
import { parseDuration, PlugboardError } from '@plugboard/plugin-api';

interface PendingTimer {
  at: number;
  /** Order of creation: timers due at the same moment fire in the order they were set. */
  seq: number;
  fn: () => unknown;
}

/** Where a {@link TestClock} starts unless told otherwise: a fixed, recognisable moment. */
export const TEST_CLOCK_START = Date.parse('2030-01-01T00:00:00.000Z');

/** How many turns of the event loop `advance` gives async work between two timers. */
const SETTLE_TURNS = 5;

function toMillis(time: Date | number | string, what: string): number {
  const ms = time instanceof Date ? time.getTime() : typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) {
    throw new PlugboardError('invalidArgument', `${what} is ${JSON.stringify(time)}, which is not a time: pass a Date, epoch milliseconds or an ISO 8601 string such as '2030-01-01T00:00:00Z'.`);
  }
  return ms;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Lets queued promise callbacks and I/O callbacks that are already due run. */
async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A {@link Clock} whose time moves only when a test says so.
 *
 * `advance` fires the timers that fall due, earliest first (ties in the order they were set),
 * with `now()` at each timer's due time while it runs. When a timer's callback returns a promise
 * (the kernel's task timers return the run), `advance` waits for it before the next timer; after
 * each timer it also lets the event loop turn a few times so follow-up work (a rearmed timer, a
 * chained promise) is in place. Timers set while advancing fire in the same call when they fall
 * due before its end. A timer whose promise rejects makes `advance` reject with that error (the
 * kernel's task timers never reject: a failed run is recorded in the task's status).
 *
 * @example
 * const clock = new TestClock();
 * const app = await startTestKernel({ plugins: [myPlugin], clock });
 * await clock.advance('5m');   // runs a task scheduled every 5 minutes once, and waits for the run
 * expect(app.kernel.scheduler.list()[0]?.runs).toBe(1);
 */
export class TestClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Set<PendingTimer>();
  /** The advance in progress, so overlapping calls run one after the other. */
  #advancing: Promise<void> = Promise.resolve();

  /** @param start The clock's first time. Default 2030-01-01T00:00:00Z. */
  constructor(start: Date | number | string = TEST_CLOCK_START) {
    this.#now = toMillis(start, 'TestClock start');
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer: PendingTimer = { at: this.#now + Math.max(0, Number.isFinite(ms) ? ms : 0), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return { cancel: () => void this.#timers.delete(timer) };
  }

  /** How many timers are set and have not fired or been cancelled. */
  pending(): number {
    return this.#timers.size;
  }

  /** When the next timer falls due, or undefined when none is set. */
  nextTimerAt(): Date | undefined {
    const next = this.#earliest(Number.POSITIVE_INFINITY);
    return next ? new Date(next.at) : undefined;
  }

  /**
   * Moves time forward by `duration` (`'5m'`, `'30s'`, or milliseconds), firing every timer due
   * on the way in order and waiting for the async work they start. Resolves once time is at the
   * end and nothing more is due.
   *
   * @example
   * await clock.advance('1h');
   */
  async advance(duration: Duration): Promise<void> {
    const ms = parseDuration(duration, 'clock.advance(duration)');
    return this.#queue(() => this.#runUntil(this.#now + ms));
  }

  /**
   * Moves time to `time`. Forward, it fires the timers due on the way, as `advance` does.
   * Backward (a wall clock set back), no timer fires and pending timers keep their due times.
   *
   * @example
   * await clock.set('2030-01-02T00:00:00Z');
   */
  async set(time: Date | number | string): Promise<void> {
    const target = toMillis(time, 'clock.set(time)');
    return this.#queue(async () => {
      if (target < this.#now) this.#now = target;
      else await this.#runUntil(target);
    });
  }

  /** Fires the timers due now (a timer set with 0 ms), without moving time. */
  runDue(): Promise<void> {
    return this.#queue(() => this.#runUntil(this.#now));
  }

  #queue(work: () => Promise<void>): Promise<void> {
    const next = this.#advancing.then(work);
    this.#advancing = next.catch(() => undefined);
    return next;
  }

  async #runUntil(target: number): Promise<void> {
    await settle();
    for (let timer = this.#earliest(target); timer; timer = this.#earliest(target)) {
      this.#timers.delete(timer);
      this.#now = Math.max(this.#now, timer.at);
      const result = timer.fn();
      if (isThenable(result)) await result;
      await settle();
    }
    this.#now = Math.max(this.#now, target);
  }

  #earliest(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.#timers) {
      if (timer.at > limit) continue;
      if (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}
