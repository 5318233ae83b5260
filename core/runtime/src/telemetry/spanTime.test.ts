import { expect, it } from 'vitest';
import { spanTime } from './spanTime.js';

const ms = ([s, ns]: readonly [number, number]) => s * 1000 + ns / 1e6;
/** b - a in nanoseconds, without going through a float of the whole epoch. */
const nsBetween = (a: readonly [number, number], b: readonly [number, number]) => (b[0] - a[0]) * 1e9 + (b[1] - a[1]);

it('reads timeOrigin + performance.now() as seconds and nanoseconds, carrying past a whole second', () => {
  const now = performance.now();
  const [s, ns] = spanTime(now);
  expect(Number.isInteger(s) && Number.isInteger(ns)).toBe(true);
  expect(ns).toBeGreaterThanOrEqual(0);
  expect(ns).toBeLessThan(1e9);
  expect(Math.abs(ms([s, ns]) - (performance.timeOrigin + now))).toBeLessThan(0.001);
  // Microseconds apart stay microseconds apart, after months of uptime too.
  const later = 120 * 86_400_000 + 0.123456;
  expect(Math.abs(nsBetween(spanTime(later), spanTime(later + 0.005)) - 5000)).toBeLessThanOrEqual(2);
  for (const t of [999.9999, 1000, 1000.0001, 59_999.9999996]) {
    const [, n] = spanTime(t);
    expect(n).toBeLessThan(1e9);
    expect(Math.abs(ms(spanTime(t)) - (performance.timeOrigin + t))).toBeLessThan(0.001);
  }
});
