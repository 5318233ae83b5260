import { ApiError, parseParams, parseQuery } from '@plugboard/plugin-api';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { ConversationsConfig } from '../config.js';
import { ConversationsError } from '../errors.js';
import type { ConversationServiceApi } from '../refs.js';
import { conversationJson, userJson } from '../rows.js';
import { limitSchema, strictQuery, userIdSchema } from '../schemas.js';

const idParams = z.object({ id: userIdSchema });

/**
 * `GET /api/users/:id`, `/api/users/:id/conversations?limit&before`, `/api/users/:id/tokens`, and
 * `GET /api/users` with exactly one of `premium=active`, `sort=last_activity` or `blocked=true`.
 */
export function userRoutes(http: Hono, service: ConversationServiceApi, config: ConversationsConfig): void {
  const limit = limitSchema(config.maxPageSize);

  http.get('/api/users/:id', async (c) => {
    const { id } = parseParams(c, idParams);
    const user = await service.getUser(id);
    if (user === undefined) throw ConversationsError.userNotFound(id);
    return c.json({ data: userJson(user) });
  });

  const pageQuery = strictQuery({ limit, before: z.string().optional() });
  http.get('/api/users/:id/conversations', async (c) => {
    const { id } = parseParams(c, idParams);
    const q = parseQuery(c, pageQuery);
    const page = await service.latestConversations(id, defined({ limit: q.limit, before: q.before }));
    return c.json({ data: page.items.map(conversationJson), next: page.next });
  });

  http.get('/api/users/:id/tokens', async (c) => {
    const { id } = parseParams(c, idParams);
    const totals = await service.tokenTotals(id);
    return c.json({ data: { user_id: totals.userId, conversations: totals.conversations, total_tokens: totals.totalTokens } });
  });

  const listQuery = strictQuery({
    premium: z.literal('active').optional(),
    sort: z.literal('last_activity').optional(),
    blocked: z.literal('true').optional(),
    limit,
    before: z.string().optional(),
    after: z.string().optional(),
  });
  http.get('/api/users', async (c) => {
    const q = parseQuery(c, listQuery);
    const chosen = [q.premium, q.sort, q.blocked].filter((v) => v !== undefined).length;
    if (chosen !== 1) {
      throw new ApiError(400, 'invalid_request', 'query: pass exactly one of premium=active, sort=last_activity or blocked=true');
    }
    // Each list pages one way; a cursor passed the other way would silently answer page 1 again.
    if (q.sort !== undefined && q.after !== undefined) {
      throw new ApiError(400, 'invalid_request', "query.after: sort=last_activity pages with before: pass the previous page's 'next' as before");
    }
    if (q.sort === undefined && q.before !== undefined) {
      const list = q.premium !== undefined ? 'premium=active' : 'blocked=true';
      throw new ApiError(400, 'invalid_request', `query.before: ${list} pages with after: pass the previous page's 'next' as after`);
    }
    if (q.premium !== undefined) {
      const page = await service.activePremiumUsers(defined({ limit: q.limit, after: q.after }));
      return c.json({ data: page.items.map((u) => ({ id: u.id, premium_until: u.premiumUntil })), next: page.next });
    }
    const page =
      q.sort !== undefined
        ? await service.recentlyActiveUsers(defined({ limit: q.limit, before: q.before }))
        : await service.blockedUsers(defined({ limit: q.limit, after: q.after }));
    return c.json({ data: page.items.map(userJson), next: page.next });
  });
}

/** Drops undefined values, for options under exactOptionalPropertyTypes-style strictness. */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
