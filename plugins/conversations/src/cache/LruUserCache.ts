import type { Counter, Meter } from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';
import type { UserCache } from '../refs.js';
import type { CacheStats, User } from '../types.js';

export interface LruUserCacheOptions {
  /** Most users kept. */
  max: number;
  /** How long an entry is served before it is read again, in ms. */
  ttlMs: number;
  /** Reads a user from the database; undefined when there is none. */
  load: (id: number) => Promise<User | undefined>;
  meter: Meter;
  /** Milliseconds clock for the TTL; tests pass their own. Default `performance.now`. */
  now?: () => number;
}

const ATTRS = { cache: 'users' } as const;

/**
 * The `users.cache`: an LRU of users by id with a TTL. Hits, misses and evictions are counted in
 * {@link stats} and as `plugboard.cache.*` counters (attribute `cache=users`; evictions also
 * carry `reason`: `size` when the cache was full, `expired` when the TTL passed). Missing users
 * are not cached, so a user made by another instance shows up on the next read.
 *
 * @example
 * const cache = new LruUserCache({ max: 10_000, ttlMs: 300_000, load: (id) => store.find(id), meter });
 * const user = await cache.get(42);
 */
export class LruUserCache implements UserCache {
  private readonly lru: LRUCache<number, User>;
  /** Loads under way; `stale` is set by invalidate so a load that began before it is not stored. */
  private readonly inflight = new Map<number, { promise: Promise<User | undefined>; stale: boolean }>();
  private readonly evictionCounter: Counter;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(private readonly options: LruUserCacheOptions) {
    this.lru = new LRUCache<number, User>({
      max: options.max,
      ttl: options.ttlMs,
      // Stale entries stay until read or purged by the purge task: no timer per entry.
      ttlAutopurge: false,
      ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
      dispose: (_value, _key, reason) => {
        if (reason === 'evict' || reason === 'expire') this.countEviction(reason === 'evict' ? 'size' : 'expired');
      },
    });
    const m = options.meter;
    // Hits and misses are read from the plain counts when metrics are collected: a lookup then
    // costs an increment, not an SDK add (which hashes its attributes, a microsecond or two).
    m.createObservableCounter('plugboard.cache.hits', { description: 'Cache lookups answered from memory' }).addCallback((result) =>
      result.observe(this.hits, ATTRS),
    );
    m.createObservableCounter('plugboard.cache.misses', { description: 'Cache lookups that read the database' }).addCallback((result) =>
      result.observe(this.misses, ATTRS),
    );
    this.evictionCounter = m.createCounter('plugboard.cache.evictions', { description: 'Cache entries dropped for size or age' });
  }

  async get(id: number): Promise<User | undefined> {
    const cached = this.lru.get(id);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    this.misses++;
    // Concurrent misses for one id share one database read.
    const pending = this.inflight.get(id);
    if (pending) return pending.promise;
    const entry = { promise: this.options.load(id), stale: false };
    this.inflight.set(id, entry);
    try {
      const user = await entry.promise;
      if (user !== undefined && !entry.stale) this.lru.set(id, user);
      return user;
    } finally {
      if (this.inflight.get(id) === entry) this.inflight.delete(id);
    }
  }

  invalidate(id: number): void {
    const pending = this.inflight.get(id);
    if (pending) pending.stale = true;
    this.inflight.delete(id);
    this.lru.delete(id);
  }

  clear(): void {
    for (const pending of this.inflight.values()) pending.stale = true;
    this.inflight.clear();
    this.lru.clear();
  }

  purgeStale(): number {
    const before = this.evictions;
    this.lru.purgeStale();
    return this.evictions - before;
  }

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      size: this.lru.size,
      max: this.options.max,
      ttlMs: this.options.ttlMs,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      hitRatio: lookups === 0 ? 0 : this.hits / lookups,
    };
  }

  private countEviction(reason: 'size' | 'expired'): void {
    this.evictions++;
    this.evictionCounter.add(1, { ...ATTRS, reason });
  }
}
