import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startedByNpm, watchParent } from './parentWatch.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('watchParent', () => {
  it('calls back once, when the parent pid changes (the parent ended and this process was re-parented)', () => {
    let ppid = 100;
    const onGone = vi.fn();
    watchParent(onGone, { everyMs: 10, ppid: () => ppid });
    vi.advanceTimersByTime(50);
    expect(onGone).not.toHaveBeenCalled();
    ppid = 1;
    vi.advanceTimersByTime(10);
    expect(onGone).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(50);
    expect(onGone).toHaveBeenCalledTimes(1);
  });

  it('stops watching when told to', () => {
    let ppid = 100;
    const onGone = vi.fn();
    const stop = watchParent(onGone, { everyMs: 10, ppid: () => ppid });
    stop();
    ppid = 1;
    vi.advanceTimersByTime(50);
    expect(onGone).not.toHaveBeenCalled();
  });
});

describe('startedByNpm', () => {
  it('is true under npm run and npx (npm sets npm_command), false otherwise', () => {
    expect(startedByNpm({ npm_command: 'run-script' })).toBe(true);
    expect(startedByNpm({ npm_command: 'exec' })).toBe(true);
    expect(startedByNpm({})).toBe(false);
  });
});
