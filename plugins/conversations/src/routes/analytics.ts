import { ApiError, parseQuery } from '@plugboard/plugin-api';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { ConversationsConfig } from '../config.js';
import type { ConversationServiceApi, TimeRange } from '../refs.js';
import { isoDate, strictQuery, text } from '../schemas.js';

const DAY_MS = 86_400_000;

/**
 * `GET /api/analytics/models?from&to[&model]` (conversations and tokens per AI model) and
 * `GET /api/analytics/daily?from&to` (per UTC day). `to` defaults to now, `from` to 30 days before `to`.
 */
export function analyticsRoutes(http: Hono, service: ConversationServiceApi, config: ConversationsConfig): void {
  const bounds = { from: isoDate.optional(), to: isoDate.optional() };
  const rangeQuery = strictQuery(bounds);

  const range = (q: { from?: Date | undefined; to?: Date | undefined }): TimeRange => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw new ApiError(400, 'invalid_request', 'query.from: must be before query.to');
    if (to.getTime() - from.getTime() > config.maxRangeDays * DAY_MS) {
      throw new ApiError(400, 'invalid_request', `query.from: the range from..to must be at most ${config.maxRangeDays} days`);
    }
    return { from, to };
  };

  const modelsQuery = strictQuery({ ...bounds, model: text(z.string().min(1).max(100)).optional() });
  http.get('/api/analytics/models', async (c) => {
    const q = parseQuery(c, modelsQuery);
    const usage = await service.modelAnalytics(range(q), q.model);
    return c.json({
      data: usage.map((u) => ({ ai_model: u.aiModel, conversations: u.conversations, total_tokens: u.totalTokens })),
    });
  });

  http.get('/api/analytics/daily', async (c) => {
    const counts = await service.dailyCounts(range(parseQuery(c, rangeQuery)));
    return c.json({ data: counts.map((d) => ({ day: d.day, conversations: d.conversations, total_tokens: d.totalTokens })) });
  });
}
