import type { Hono } from 'hono';
import type { ConversationServiceApi } from '../refs.js';

/** `GET /api/cache/users`: size, hits, misses, evictions and hit ratio of the user cache. */
export function cacheRoutes(http: Hono, service: ConversationServiceApi): void {
  http.get('/api/cache/users', (c) => {
    const s = service.cacheStats();
    return c.json({
      data: { size: s.size, max: s.max, ttl_ms: s.ttlMs, hits: s.hits, misses: s.misses, evictions: s.evictions, hit_ratio: s.hitRatio },
    });
  });
}
