import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TaskScheduler } from '../tasks/TaskScheduler.js';
import { HeldTasks } from './HeldTasks.js';

const logger = pino({ level: 'silent' });

describe('HeldTasks', () => {
  it('holds tasks until activated, then schedules them on the real scope', async () => {
    const scheduler = new TaskScheduler({ logger });
    const held = new HeldTasks('cache');
    let runs = 0;
    const handle = held.schedule({ name: 'purge', every: '1h', runOnStart: true, run: () => void (runs += 1) });
    expect(held.list()).toEqual([{ id: 'cache.purge', plugin: 'cache', name: 'purge', everyMs: 3_600_000, timeoutMs: 3_600_000, running: false, runs: 0 }]);
    expect(scheduler.list()).toEqual([]);
    await expect(handle.runNow()).rejects.toThrow(
      "Task 'cache.purge' cannot run yet: this start of plugin 'cache' replaces a running one, and its tasks run once that one has stopped.",
    );
    expect(runs).toBe(0);

    held.activate(scheduler.forPlugin('cache', logger));
    await handle.runNow();
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(scheduler.list().map((t) => t.id)).toEqual(['cache.purge']);
    await held.stopAll();
    expect(scheduler.list()).toEqual([]);
  });

  it('refuses what the scheduler refuses, with its messages, when scheduled', () => {
    const held = new HeldTasks('cache');
    held.schedule({ name: 'purge', every: '1m', run: () => undefined });
    expect(() => held.schedule({ name: 'purge', every: '1m', run: () => undefined })).toThrow(
      "Task 'cache.purge' is already scheduled: give each task of plugin 'cache' its own name, or cancel the first one.",
    );
    expect(() => held.schedule({ name: 'zero', every: 0, run: () => undefined })).toThrow("Task 'cache.zero' every is 0: it must be more than 0 ms.");
    expect(() => held.schedule({ name: '', every: '1m', run: () => undefined })).toThrow(
      "A task of plugin 'cache' has no name: give each task a non-empty 'name'.",
    );
  });

  it('activates every task the scope takes and returns the errors of those it refuses, without throwing', async () => {
    const scheduler = new TaskScheduler({ logger });
    const scope = scheduler.forPlugin('cache', logger);
    scope.schedule({ name: 'a', every: '1h', run: () => undefined });
    const held = new HeldTasks('cache');
    held.schedule({ name: 'a', every: '1h', run: () => undefined });
    held.schedule({ name: 'b', every: '1h', run: () => undefined });
    const errors = held.activate(scope);
    expect(errors.map((e) => e.message)).toEqual([
      "Task 'cache.a' is already scheduled: give each task of plugin 'cache' its own name, or cancel the first one.",
    ]);
    expect(scheduler.list().map((t) => t.id)).toEqual(['cache.a', 'cache.b']);
    await scheduler.stopAll();
  });

  it('drops a task cancelled before activation, and everything once stopped', async () => {
    const scheduler = new TaskScheduler({ logger });
    const held = new HeldTasks('cache');
    await held.schedule({ name: 'a', every: '1m', run: () => undefined }).cancel();
    held.schedule({ name: 'b', every: '1m', run: () => undefined });
    expect(held.list().map((t) => t.name)).toEqual(['b']);
    await held.stopAll();
    expect(() => held.schedule({ name: 'c', every: '1m', run: () => undefined })).toThrow(
      "Task 'cache.c' cannot be scheduled: plugin 'cache' has stopped its tasks.",
    );
    held.activate(scheduler.forPlugin('cache', logger));
    expect(scheduler.list()).toEqual([]);
  });
});
