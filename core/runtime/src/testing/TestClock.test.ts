import { describe, expect, it } from 'vitest';
import { PlugboardError } from '@plugboard/plugin-api';
import { TestClock, TEST_CLOCK_START } from './TestClock.js';

describe('TestClock', () => {
  it('starts at 2030-01-01 or the time given, and moves only when told', async () => {
    expect(new TestClock().now()).toBe(TEST_CLOCK_START);
    const clock = new TestClock('2031-05-06T07:08:09Z');
    expect(new Date(clock.now()).toISOString()).toBe('2031-05-06T07:08:09.000Z');
    await clock.advance('90s');
    expect(new Date(clock.now()).toISOString()).toBe('2031-05-06T07:09:39.000Z');
  });

  it('fires due timers in time order, ties in the order they were set, with now() at their due time', async () => {
    const clock = new TestClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 2000);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 1000);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 2000);
    clock.setTimeout(() => fired.push('late'), 5000);
    await clock.advance('2s');
    expect(fired).toEqual(['a@1000', 'b@2000', 'c@2000']);
    expect(clock.pending()).toBe(1);
    expect(clock.nextTimerAt()?.getTime()).toBe(5000);
  });

  /* eslint-disable @typescript-eslint/no-misused-promises -- Clock types fn as () => void; what the TestClock does with a returned promise is the point here. */
  it('waits for the promise a timer returns before the next timer, and fires timers set on the way', async () => {
    const clock = new TestClock(0);
    const log: string[] = [];
    const tick = (): Promise<void> =>
      (async () => {
        log.push(`start@${clock.now()}`);
        await new Promise((resolve) => setTimeout(resolve, 5)); // real async work
        log.push(`end@${clock.now()}`);
        clock.setTimeout(tick, 1000);
      })();
    clock.setTimeout(tick, 1000);
    await clock.advance('3s');
    expect(log).toEqual(['start@1000', 'end@1000', 'start@2000', 'end@2000', 'start@3000', 'end@3000']);
  });

  /* eslint-enable @typescript-eslint/no-misused-promises */
  it('does not fire cancelled timers', async () => {
    const clock = new TestClock(0);
    let fired = 0;
    const timer = clock.setTimeout(() => (fired += 1), 10);
    timer.cancel();
    timer.cancel();
    await clock.advance(100);
    expect(fired).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('set() moves forward firing timers, and backward firing none', async () => {
    const clock = new TestClock('2030-01-01T00:00:00Z');
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 60_000);
    await clock.set('2029-12-31T23:00:00Z');
    expect(fired).toEqual([]);
    await clock.set('2030-01-01T00:05:00Z');
    expect(fired).toEqual([Date.parse('2030-01-01T00:01:00Z')]);
    expect(clock.now()).toBe(Date.parse('2030-01-01T00:05:00Z'));
  });

  it('refuses a duration or time it cannot read, naming it', async () => {
    const clock = new TestClock();
    await expect(clock.advance('5 minutes')).rejects.toThrow(
      `clock.advance(duration) is "5 minutes", which is not a duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h'.`,
    );
    expect(() => new TestClock('soon')).toThrow(PlugboardError);
    await expect(clock.set('tomorrow')).rejects.toThrow(`clock.set(time) is "tomorrow", which is not a time`);
  });

  it('rejects advance with the error of a timer whose promise rejects', async () => {
    const clock = new TestClock(0);
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- as above
    clock.setTimeout(() => Promise.reject(new Error('boom')), 10);
    await expect(clock.advance(10)).rejects.toThrow('boom');
    // The clock is still usable afterwards.
    await clock.advance(10);
    expect(clock.now()).toBe(20);
  });
});
