import { describe, expect, it } from 'vitest';
import { checkTaskOptions } from './checkTaskOptions.js';

const free = { stopped: false, has: () => false };
const run = () => undefined;

describe('checkTaskOptions', () => {
  it('returns the id and the durations in milliseconds of options it accepts', () => {
    expect(checkTaskOptions('cache', { name: 'purge', every: '1m', run }, free)).toEqual({
      id: 'cache.purge',
      name: 'purge',
      everyMs: 60_000,
      timeoutMs: 60_000,
    });
    expect(checkTaskOptions('cache', { name: 'purge', every: '1m', timeout: '5s', run }, free).timeoutMs).toBe(5000);
  });

  it('refuses, in order, a missing name, a stopped scope, a taken name, a finishing one, no run, a bad duration', () => {
    expect(() => checkTaskOptions('cache', { name: '', every: '1m', run }, { stopped: true, has: () => true })).toThrow(
      "A task of plugin 'cache' has no name: give each task a non-empty 'name'.",
    );
    expect(() => checkTaskOptions('cache', { name: 'purge', every: 0, run }, { stopped: true, has: () => true })).toThrow(
      "Task 'cache.purge' cannot be scheduled: plugin 'cache' has stopped its tasks.",
    );
    expect(() => checkTaskOptions('cache', { name: 'purge', every: 0, run }, { stopped: false, has: (n) => n === 'purge' })).toThrow(
      "Task 'cache.purge' is already scheduled: give each task of plugin 'cache' its own name, or cancel the first one.",
    );
    expect(() => checkTaskOptions('cache', { name: 'purge', every: 0, run }, { ...free, finishing: (n) => n === 'purge' })).toThrow(
      "Task 'cache.purge' was cancelled but its last run has not ended yet: await its cancel() before scheduling it again.",
    );
    expect(() => checkTaskOptions('cache', { name: 'purge', every: 0, run: undefined as never }, free)).toThrow(
      "Task 'cache.purge' has no 'run' function: give it the function that does the work.",
    );
    expect(() => checkTaskOptions('cache', { name: 'purge', every: 0, run }, free)).toThrow("Task 'cache.purge' every is 0: it must be more than 0 ms.");
    expect(() => checkTaskOptions('cache', { name: 'purge', every: '1m', timeout: 0, run }, free)).toThrow(
      "Task 'cache.purge' timeout is 0: it must be more than 0 ms.",
    );
  });
});
