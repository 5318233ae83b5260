import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, isTransient } from './retry.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap without jitter', () => {
    const options = { ...DEFAULT_RETRY, jitter: 0, initialDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options, () => 0.99))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads the jittered share of each wait over the random number', () => {
    const options = { ...DEFAULT_RETRY, jitter: 0.5, initialDelayMs: 100 };
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 0.5)).toBe(75);
    expect(backoffDelay(2, options, () => 1)).toBe(200);
  });
});

describe('isTransient', () => {
  it.each(['08006', '08001', '40001', '40P01', '53300', '57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET'])('retries %s', (code) => {
    expect(isTransient(withCode(code))).toBe(true);
  });

  it.each(['23505', '23503', '23514', '22P02', '42P01'])('does not retry %s', (code) => {
    expect(isTransient(withCode(code))).toBe(false);
  });

  it("retries node-postgres' lost connection messages and causes that are transient", () => {
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new Error('outer', { cause: withCode('57P01') }))).toBe(true);
    expect(isTransient(new AggregateError([withCode('ECONNREFUSED')], 'all failed'))).toBe(true);
    expect(isTransient(new Error('invalid input syntax'))).toBe(false);
    expect(isTransient('a string')).toBe(false);
  });
});
