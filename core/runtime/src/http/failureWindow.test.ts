import { describe, expect, it } from 'vitest';
import { FailureWindow } from './failureWindow.js';

function clocked(options: { maxFailures: number; windowMs: number; maxKeys?: number }) {
  let now = 1000;
  const failures = new FailureWindow({ ...options, now: () => now });
  return { failures, advance: (ms: number) => (now += ms) };
}

describe('FailureWindow', () => {
  it('blocks a key once it reaches the limit, until its window ends', () => {
    const { failures, advance } = clocked({ maxFailures: 3, windowMs: 1000 });
    expect(failures.fail('a')).toEqual({ failures: 1, blockedForMs: 0 });
    advance(100);
    expect(failures.fail('a')).toEqual({ failures: 2, blockedForMs: 0 });
    expect(failures.blockedForMs('a')).toBe(0);
    advance(100);
    expect(failures.fail('a')).toEqual({ failures: 3, blockedForMs: 800 });
    advance(500);
    expect(failures.blockedForMs('a')).toBe(300);
    advance(299);
    expect(failures.blockedForMs('a')).toBe(1);
    advance(1);
    expect(failures.blockedForMs('a')).toBe(0);
    // A new window opens at the next failure.
    expect(failures.fail('a')).toEqual({ failures: 1, blockedForMs: 0 });
  });

  it('counts each key on its own', () => {
    const { failures } = clocked({ maxFailures: 2, windowMs: 1000 });
    failures.fail('a');
    failures.fail('a');
    expect(failures.blockedForMs('a')).toBe(1000);
    expect(failures.blockedForMs('b')).toBe(0);
    expect(failures.fail('b')).toEqual({ failures: 1, blockedForMs: 0 });
  });

  it('forgets the failures of a key on success', () => {
    const { failures } = clocked({ maxFailures: 2, windowMs: 1000 });
    failures.fail('a');
    failures.succeed('a');
    expect(failures.fail('a')).toEqual({ failures: 1, blockedForMs: 0 });
  });

  it('holds at most maxKeys keys, dropping expired ones first, then the oldest', () => {
    const { failures, advance } = clocked({ maxFailures: 1, windowMs: 1000, maxKeys: 2 });
    failures.fail('old');
    advance(1000);
    failures.fail('a');
    failures.fail('b');
    expect(failures.size).toBe(2);
    expect(failures.blockedForMs('a')).toBe(1000);
    failures.fail('c');
    expect(failures.size).toBe(2);
    expect(failures.blockedForMs('a')).toBe(0);
    expect(failures.blockedForMs('b')).toBe(1000);
    expect(failures.blockedForMs('c')).toBe(1000);
  });
});
