import type { Attributes, Meter, ObservableCallback } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../types.js';
import { LruUserCache } from './LruUserCache.js';

/**
 * A meter that keeps the sums of its counters by name and attributes; `collect()` adds what its
 * observable counters report now, as a reader's collection would.
 */
function recordingMeter(): { meter: Meter; sums: Map<string, number>; collect: () => void } {
  const sums = new Map<string, number>();
  const observed: { name: string; callback: ObservableCallback }[] = [];
  const meter = {
    createCounter: (name: string) => ({
      add: (value: number, attrs: Attributes = {}) => {
        const key = `${name} ${JSON.stringify(attrs)}`;
        sums.set(key, (sums.get(key) ?? 0) + value);
      },
    }),
    createObservableCounter: (name: string) => ({
      addCallback: (callback: ObservableCallback) => observed.push({ name, callback }),
    }),
  } as unknown as Meter;
  const collect = () => {
    for (const { name, callback } of observed) {
      void callback({ observe: (value: number, attrs: Attributes = {}) => sums.set(`${name} ${JSON.stringify(attrs)}`, value) });
    }
  };
  return { meter, sums, collect };
}

const user = (id: number, messageCount = 0): User => ({
  id,
  username: null,
  isPremium: false,
  premiumUntil: null,
  isBlocked: false,
  lastActivityAt: null,
  messageCount,
  tokensUsed: 0,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

describe('LruUserCache', () => {
  let db: Map<number, User>;
  let loads: number;
  let sums: Map<string, number>;
  let collect: () => void;
  let cache: LruUserCache;
  let clock: number;

  beforeEach(() => {
    clock = 1_000_000; // lru-cache reads a start time of 0 as "no TTL"
    db = new Map([1, 2, 3].map((id) => [id, user(id)]));
    loads = 0;
    const m = recordingMeter();
    sums = m.sums;
    collect = m.collect;
    cache = new LruUserCache({
      max: 2,
      ttlMs: 1000,
      meter: m.meter,
      now: () => clock,
      load: async (id) => {
        loads++;
        return db.get(id);
      },
    });
  });

  it('counts hits and misses in stats and as counters', async () => {
    await cache.get(1);
    await cache.get(1);
    await cache.get(9);
    expect(cache.stats()).toEqual({ size: 1, max: 2, ttlMs: 1000, hits: 1, misses: 2, evictions: 0, hitRatio: 1 / 3 });
    collect();
    expect(sums.get('plugboard.cache.hits {"cache":"users"}')).toBe(1);
    expect(sums.get('plugboard.cache.misses {"cache":"users"}')).toBe(2);
  });

  it('evicts the least recently used user when full', async () => {
    await cache.get(1);
    await cache.get(2);
    await cache.get(1);
    await cache.get(3);
    expect(cache.stats().evictions).toBe(1);
    expect(sums.get('plugboard.cache.evictions {"cache":"users","reason":"size"}')).toBe(1);
    loads = 0;
    await cache.get(1);
    await cache.get(2);
    expect(loads).toBe(1); // 2 was evicted, 1 was not
  });

  it('drops expired users when purged', async () => {
    await cache.get(1);
    clock += 1001;
    expect(cache.purgeStale()).toBe(1);
    expect(cache.stats().size).toBe(0);
    expect(sums.get('plugboard.cache.evictions {"cache":"users","reason":"expired"}')).toBe(1);
  });

  it('reads again after invalidate', async () => {
    await cache.get(1);
    db.set(1, user(1, 5));
    cache.invalidate(1);
    expect(await cache.get(1)).toMatchObject({ messageCount: 5 });
  });

  it('shares one load between concurrent misses and does not store a load overtaken by invalidate', async () => {
    let finish!: (u: User) => void;
    const slow = new LruUserCache({
      max: 10,
      ttlMs: 1000,
      meter: recordingMeter().meter,
      load: () => new Promise<User>((resolve) => (finish = resolve)),
    });
    const a = slow.get(1);
    const b = slow.get(1);
    slow.invalidate(1);
    finish(user(1, 1));
    expect(await a).toMatchObject({ messageCount: 1 });
    expect(await b).toMatchObject({ messageCount: 1 });
    expect(slow.stats().size).toBe(0);
  });
});
