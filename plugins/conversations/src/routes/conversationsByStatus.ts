import { parseQuery } from '@plugboard/plugin-api';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { ConversationsConfig } from '../config.js';
import type { ConversationServiceApi } from '../refs.js';
import { conversationJson } from '../rows.js';
import { limitSchema, strictQuery } from '../schemas.js';
import { CONVERSATION_STATUSES } from '../types.js';

/**
 * `GET /api/conversations?status&minProcessingMs&limit&before`: the conversations of one status,
 * slowest first, rows without a processing time first (only when `minProcessingMs` is 0).
 */
export function conversationsByStatusRoutes(http: Hono, service: ConversationServiceApi, config: ConversationsConfig): void {
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
