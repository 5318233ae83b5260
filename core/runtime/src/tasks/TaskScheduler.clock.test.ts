import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../testing/TestClock.js';
import { TaskScheduler } from './TaskScheduler.js';

// The schedule runs on the clock it is given (the kernel gives its core.clock): a TestClock
// moves it by hand, and advance() waits for each run it starts.
describe('TaskScheduler on a clock', () => {
  it('runs on advance, keeps its times on the clock, and waits for a run before rearming', async () => {
    const clock = new TestClock('2030-01-01T00:00:00Z');
    const scheduler = new TaskScheduler({ logger: pino({ level: 'silent' }), clock });
    const seen: string[] = [];
    const handle = scheduler.forPlugin('p').schedule({
      name: 'tick',
      every: '5m',
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5)); // real async work, awaited by advance
        seen.push(new Date(clock.now()).toISOString());
      },
    });
    expect(handle.status().nextRunAt?.toISOString()).toBe('2030-01-01T00:05:00.000Z');
    await clock.advance(299_000);
    expect(seen).toEqual([]);
    await clock.advance('1s');
    expect(seen).toEqual(['2030-01-01T00:05:00.000Z']);
    await clock.advance('10m');
    expect(seen).toEqual(['2030-01-01T00:05:00.000Z', '2030-01-01T00:10:00.000Z', '2030-01-01T00:15:00.000Z']);
    expect(handle.status()).toMatchObject({
      runs: 3,
      lastOutcome: 'ok',
      lastStartedAt: new Date('2030-01-01T00:15:00Z'),
      nextRunAt: new Date('2030-01-01T00:20:00Z'),
    });
    await scheduler.stopAll();
    expect(clock.pending()).toBe(0);
    await clock.advance('1h');
    expect(handle.status().runs).toBe(3);
  });

  it('runs a runOnStart task on the first advance, and records a failed run without failing advance', async () => {
    const clock = new TestClock(0);
    const scheduler = new TaskScheduler({ logger: pino({ level: 'silent' }), clock });
    const handle = scheduler.forPlugin('p').schedule({ name: 'fails', every: '1m', runOnStart: true, run: () => { throw new Error('nope'); } });
    await clock.runDue();
    expect(handle.status()).toMatchObject({ runs: 1, lastOutcome: 'error', lastError: 'nope', nextRunAt: new Date(60_000) });
    await clock.advance('1m');
    expect(handle.status().runs).toBe(2);
    await scheduler.stopAll();
  });
});
