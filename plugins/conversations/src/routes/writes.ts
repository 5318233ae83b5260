import { parseJsonBody, parseQuery } from '@plugboard/plugin-api';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { ConversationsConfig } from '../config.js';
import type { ConversationServiceApi } from '../refs.js';
import { conversationJson } from '../rows.js';
import { exchangesBody, limitSchema, strictQuery } from '../schemas.js';
import { CONVERSATION_STATUSES, type RecordResult } from '../types.js';

const resultJson = (r: RecordResult) => ({ id: r.id, user_id: r.userId, created: r.created, user_created: r.userCreated });

/**
 * `POST /api/conversations` (one exchange or an array) and `GET /api/conversations?status&minProcessingMs`.
 * The POST answers 201 when it stored at least one conversation, 200 when every id was already
 * stored (a retry); `created` tells which.
 */
export function conversationRoutes(http: Hono, service: ConversationServiceApi, config: ConversationsConfig): void {
  const body = exchangesBody(config.maxBatchSize);
  http.post('/api/conversations', async (c) => {
    const { many, exchanges } = await parseJsonBody(c, body);
    const results = await service.record(exchanges);
    const status = results.some((r) => r.created) ? 201 : 200;
    return c.json({ data: many ? results.map(resultJson) : resultJson(results[0]!) }, status);
  });

  const listQuery = strictQuery({
    status: z.enum(CONVERSATION_STATUSES, {
      // A missing status says so; a wrong one keeps zod's own message, which lists the options.
      error: (issue) =>
        issue.input === undefined ? `Required: give one of ${CONVERSATION_STATUSES.map((s) => `"${s}"`).join('|')}` : undefined,
    }),
    minProcessingMs: z.coerce.number().int().min(0).max(2_147_483_647).default(0),
    limit: limitSchema(config.maxPageSize),
    before: z.string().optional(),
  });
  http.get('/api/conversations', async (c) => {
    const q = parseQuery(c, listQuery);
    const page = await service.conversationsByStatus(q.status, {
      minProcessingMs: q.minProcessingMs,
      ...(q.limit === undefined ? {} : { limit: q.limit }),
      ...(q.before === undefined ? {} : { before: q.before }),
    });
    return c.json({ data: page.items.map(conversationJson), next: page.next });
  });
}
