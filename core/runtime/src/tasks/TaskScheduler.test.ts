import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlugboardError } from '@plugboard/plugin-api';
import { TaskScheduler } from './TaskScheduler.js';
import type { TaskStatus } from '@plugboard/plugin-api';

/** A promise settled from outside, to hold a run open for as long as a test needs. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves when `signal` aborts, the way a well-behaved task stops. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

describe('TaskScheduler', () => {
  let scheduler: TaskScheduler;
  let logger: pino.Logger;
  let ended: TaskStatus[];

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    logger = pino({ level: 'silent' });
    ended = [];
    scheduler = new TaskScheduler({ logger, onRunEnd: (status) => ended.push(status) });
  });

  afterEach(async () => {
    // Runs some tests leave hanging ignore their abort; let the bounded wait of stopAll expire.
    const stopping = scheduler.stopAll();
    await vi.advanceTimersByTimeAsync(3_600_000);
    await stopping;
    vi.useRealTimers();
  });

  it('runs every period after the previous run ends, and keeps the status fields', async () => {
    const run = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
    });
    const handle = scheduler.forPlugin('conversations').schedule({ name: 'purge-cache', every: '1s', run });

    expect(handle.status()).toEqual({
      id: 'conversations.purge-cache',
      plugin: 'conversations',
      name: 'purge-cache',
      everyMs: 1000,
      timeoutMs: 1000,
      running: false,
      runs: 0,
      nextRunAt: new Date('2030-01-01T00:00:01.000Z'),
    });

    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
    expect(handle.status()).toMatchObject({ running: true, runs: 1, lastStartedAt: new Date('2030-01-01T00:00:01.000Z') });
    expect(handle.status().nextRunAt).toBeUndefined();

    await vi.advanceTimersByTimeAsync(200);
    expect(handle.status()).toEqual({
      id: 'conversations.purge-cache',
      plugin: 'conversations',
      name: 'purge-cache',
      everyMs: 1000,
      timeoutMs: 1000,
      running: false,
      runs: 1,
      lastStartedAt: new Date('2030-01-01T00:00:01.000Z'),
      lastDurationMs: 200,
      lastOutcome: 'ok',
      nextRunAt: new Date('2030-01-01T00:00:02.200Z'),
    });
    expect(ended.map((s) => s.lastOutcome)).toEqual(['ok']);

    await vi.advanceTimersByTimeAsync(999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('never overlaps runs: a slow run spanning several periods is the only one going', async () => {
    let active = 0;
    let maxActive = 0;
    const gates: Array<() => void> = [];
    const run = vi.fn(async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      const gate = deferred();
      gates.push(gate.resolve);
      await gate.promise;
      active -= 1;
    });
    const handle = scheduler.forPlugin('p').schedule({ name: 'slow', every: 100, timeout: '1h', run });

    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
    expect(handle.status().running).toBe(true);

    gates[0]!();
    await vi.advanceTimersByTimeAsync(0);
    expect(handle.status()).toMatchObject({ running: false, runs: 1, lastDurationMs: 1000 });
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(2);
    expect(maxActive).toBe(1);
  });

  it('runNow during a run returns that run instead of starting another', async () => {
    const gate = deferred();
    const run = vi.fn(() => gate.promise);
    const handle = scheduler.forPlugin('p').schedule({ name: 't', every: '1m', run });

    const first = handle.runNow();
    const second = handle.runNow();
    expect(second).toBe(first);
    expect(run).toHaveBeenCalledTimes(1);
    expect(handle.status().nextRunAt).toBeUndefined();

    await vi.advanceTimersByTimeAsync(5);
    gate.resolve();
    const status = await first;
    expect(status).toMatchObject({ runs: 1, running: false, lastOutcome: 'ok', lastDurationMs: 5 });
    expect(status.nextRunAt).toEqual(new Date(Date.now() + 60_000));
  });

  it('aborts a run through its signal on timeout and records the outcome', async () => {
    let reason: unknown;
    const handle = scheduler.forPlugin('x').schedule({
      name: 'y',
      every: '10s',
      timeout: '5s',
      run: async (signal) => {
        await untilAborted(signal);
        reason = signal.reason;
      },
    });

    const done = handle.runNow();
    await vi.advanceTimersByTimeAsync(4999);
    expect(handle.status().running).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    const status = await done;

    expect(PlugboardError.is(reason, 'timeout')).toBe(true);
    expect((reason as Error).message).toBe("Task 'x.y' ran longer than its timeout of 5000 ms and was aborted.");
    expect(status).toMatchObject({
      running: false,
      lastOutcome: 'timeout',
      lastDurationMs: 5000,
      lastError: "Task 'x.y' ran longer than its timeout of 5000 ms and was aborted.",
    });
  });

  it('does not start another run while a timed-out run ignores its signal, and warns', async () => {
    const warn = vi.spyOn(logger, 'warn');
    const gate = deferred();
    const run = vi.fn(() => gate.promise);
    const handle = scheduler.forPlugin('x').schedule({ name: 'stubborn', every: 100, timeout: 50, run });

    await vi.advanceTimersByTimeAsync(100 + 50 + 50);
    expect(warn.mock.calls.map((call) => call[1])).toEqual([
      "Task 'x.stubborn' ran longer than its timeout of 50 ms and was aborted.",
      "Task 'x.stubborn' ignores its abort signal: it is still running 50 ms after its timeout, and its next run waits until it ends.",
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
    expect(handle.status()).toMatchObject({ running: true, runs: 1 });

    gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(handle.status()).toMatchObject({ running: false, lastOutcome: 'timeout', lastDurationMs: 1100 });
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('records an error, logs it with the task id, and keeps the schedule', async () => {
    const error = vi.spyOn(logger, 'error');
    let calls = 0;
    const handle = scheduler.forPlugin('db-indexes').schedule({
      name: 'analyze',
      every: '1s',
      run: () => {
        calls += 1;
        if (calls === 1) throw new Error('relation "users" does not exist');
      },
    });

    await vi.advanceTimersByTimeAsync(1000);
    expect(handle.status()).toMatchObject({
      runs: 1,
      lastOutcome: 'error',
      lastError: 'relation "users" does not exist',
      nextRunAt: new Date('2030-01-01T00:00:02.000Z'),
    });
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]![0]).toMatchObject({ task: 'db-indexes.analyze' });
    expect(error.mock.calls[0]![1]).toBe("Task 'db-indexes.analyze' failed: relation \"users\" does not exist");

    await vi.advanceTimersByTimeAsync(1000);
    expect(handle.status()).toMatchObject({ runs: 2, lastOutcome: 'ok' });
    expect(handle.status().lastError).toBeUndefined();
  });

  it('records a rejected promise as an error too', async () => {
    const handle = scheduler.forPlugin('p').schedule({ name: 't', every: 1000, run: () => Promise.reject(new Error('boom')) });
    const status = await handle.runNow();
    expect(status).toMatchObject({ lastOutcome: 'error', lastError: 'boom' });
  });

  it('runs once right away with runOnStart', async () => {
    const run = vi.fn();
    const handle = scheduler.forPlugin('p').schedule({ name: 't', every: '1h', runOnStart: true, run });
    expect(handle.status().nextRunAt).toEqual(new Date('2030-01-01T00:00:00.000Z'));
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    expect(handle.status().nextRunAt).toEqual(new Date('2030-01-01T01:00:00.000Z'));
  });

  it('cancel aborts a running run, waits for it, and no further runs happen', async () => {
    let signalSeen: AbortSignal | undefined;
    let finished = false;
    const run = vi.fn(async (signal: AbortSignal) => {
      signalSeen = signal;
      await untilAborted(signal);
      await Promise.resolve();
      finished = true;
    });
    const handle = scheduler.forPlugin('p').schedule({ name: 't', every: 100, timeout: '1h', run });

    await vi.advanceTimersByTimeAsync(100);
    expect(handle.status().running).toBe(true);
    await handle.cancel();

    expect(signalSeen?.aborted).toBe(true);
    expect(finished).toBe(true);
    const status = handle.status();
    expect(status).toMatchObject({ running: false, runs: 1, lastOutcome: 'aborted' });
    expect(status.nextRunAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(1);
    await expect(handle.runNow()).rejects.toThrow("Task 'p.t' was cancelled and cannot run; schedule it again to run it.");
  });

  it('stopAll of a plugin gives up waiting after the timeout when a run ignores the abort', async () => {
    const warn = vi.spyOn(logger, 'warn');
    const gate = deferred();
    const tasks = scheduler.forPlugin('p');
    const handle = tasks.schedule({ name: 't', every: 100, timeout: 300, run: () => gate.promise });
    const idle = tasks.schedule({ name: 'idle', every: '1m', run: vi.fn() });

    await vi.advanceTimersByTimeAsync(100);
    let stopped = false;
    const stopping = tasks.stopAll().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(299);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(warn).toHaveBeenCalledWith(
      { task: 'p.t' },
      "Task 'p.t' ignored its abort signal and was still running 300 ms after being cancelled; no longer waiting for it.",
    );
    expect(handle.status().running).toBe(true);
    expect(idle.status().nextRunAt).toBeUndefined();
    expect(tasks.list()).toEqual([]);
    expect(() => tasks.schedule({ name: 'late', every: 1, run: vi.fn() })).toThrow(
      "Task 'p.late' cannot be scheduled: plugin 'p' has stopped its tasks.",
    );

    gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(handle.status()).toMatchObject({ running: false, lastOutcome: 'aborted' });
    expect(handle.status().nextRunAt).toBeUndefined();
  });

  it('rejects a duplicate task name within a plugin, but not across plugins', () => {
    scheduler.forPlugin('conversations').schedule({ name: 'purge-cache', every: '5m', run: vi.fn() });
    expect(() => scheduler.forPlugin('conversations').schedule({ name: 'purge-cache', every: '1m', run: vi.fn() })).toThrow(
      new PlugboardError(
        'invalidArgument',
        "Task 'conversations.purge-cache' is already scheduled: give each task of plugin 'conversations' its own name, or cancel the first one.",
      ),
    );
    expect(() => scheduler.forPlugin('batching').schedule({ name: 'purge-cache', every: '5m', run: vi.fn() })).not.toThrow();
  });

  it('frees the name of a cancelled task', async () => {
    const tasks = scheduler.forPlugin('p');
    await tasks.schedule({ name: 't', every: 1000, run: vi.fn() }).cancel();
    expect(() => tasks.schedule({ name: 't', every: 1000, run: vi.fn() })).not.toThrow();
  });

  it('names the setting in duration errors', () => {
    const tasks = scheduler.forPlugin('conversations');
    expect(() => tasks.schedule({ name: 'purge-cache', every: 'soon', run: vi.fn() })).toThrow(
      `Task 'conversations.purge-cache' every is "soon", which is not a duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h'.`,
    );
    expect(() => tasks.schedule({ name: 'purge-cache', every: 0, run: vi.fn() })).toThrow(
      "Task 'conversations.purge-cache' every is 0: it must be more than 0 ms.",
    );
    expect(() => tasks.schedule({ name: 'purge-cache', every: '1m', timeout: '0s', run: vi.fn() })).toThrow(
      `Task 'conversations.purge-cache' timeout is "0s": it must be more than 0 ms.`,
    );
    expect(() => tasks.schedule({ name: 'purge-cache', every: '30d', run: vi.fn() })).toThrow(
      `Task 'conversations.purge-cache' every is "30d", longer than the 2147483647 ms (about 24 days) a timer can wait: use a shorter duration.`,
    );
    expect(tasks.list()).toEqual([]);
  });

  it('lists the tasks of every plugin and stops them all', async () => {
    const a = scheduler.forPlugin('a').schedule({ name: 'one', every: 1000, run: vi.fn() });
    scheduler.forPlugin('b').schedule({ name: 'two', every: 2000, run: vi.fn() });
    expect(scheduler.list().map((s) => [s.id, s.everyMs])).toEqual([
      ['a.one', 1000],
      ['b.two', 2000],
    ]);
    await scheduler.stopAll();
    expect(scheduler.list()).toEqual([]);
    expect(a.status().nextRunAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5000);
    expect(a.status().runs).toBe(0);
  });

  it('unrefs its timers so they never keep the process alive', async () => {
    vi.useRealTimers();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      scheduler.forPlugin('p').schedule({ name: 't', every: '1h', run: vi.fn() });
      const timer = spy.mock.results[0]!.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
    } finally {
      spy.mockRestore();
    }
    await scheduler.stopAll();
    vi.useFakeTimers();
  });
});

describe('TaskScheduler: a cancelled task still finishing its run', () => {
  it('is still listed, blocks its name, and stopAll waits for it', async () => {
    const tasks = new TaskScheduler({ logger: pino({ level: 'silent' }) }).forPlugin('p');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Ignores its abort signal: the run ends only when the gate opens.
    const handle = tasks.schedule({ name: 't', every: '1h', timeout: '1h', run: () => gate });
    void handle.runNow();
    void handle.cancel();
    expect(tasks.list().map((t) => [t.id, t.running])).toEqual([['p.t', true]]);
    expect(() => tasks.schedule({ name: 't', every: '1h', run: () => undefined })).toThrow(
      "Task 'p.t' was cancelled but its last run has not ended yet: await its cancel() before scheduling it again.",
    );
    let stopped = false;
    const stopping = tasks.stopAll().then(() => void (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(tasks.list()).toEqual([]);
  });
});
