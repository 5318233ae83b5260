import { afterEach, expect, test, vi } from 'vitest';
import { memoryLogger } from '../http/testHarness.js';
import { DatabaseOutage } from './DatabaseOutage.js';

afterEach(() => {
  vi.useRealTimers();
});

test('logs an outage once when it begins and once when a ping answers after a quiet interval', async () => {
  vi.useFakeTimers();
  const { logger, records } = memoryLogger();
  let up = false;
  const outage = new DatabaseOutage({ logger, ping: async () => { if (!up) throw new Error('down'); }, checkEveryMs: 1000 });
  for (let i = 0; i < 50; i += 1) outage.report(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
  expect(outage.active).toBe(true);
  await vi.advanceTimersByTimeAsync(3000);
  up = true;
  await vi.advanceTimersByTimeAsync(500);
  // The next ping passes, but a request failed during the interval before it: still the same outage.
  outage.report(new Error('Query read timeout'));
  await vi.advanceTimersByTimeAsync(500);
  expect(outage.active).toBe(true);
  await vi.advanceTimersByTimeAsync(1000);
  expect(outage.active).toBe(false);
  expect(records.map((r) => [r.level, r.msg])).toEqual([
    [40, 'The database is unavailable: connect ECONNREFUSED 127.0.0.1:5432. Requests that need it answer 503 database_unavailable until it answers again (checked every 1000 ms); this is logged once per outage.'],
    [30, 'The database answers again after 5.0 s; 51 request(s) failed with database_unavailable meanwhile.'],
  ]);
  outage.close();
});
