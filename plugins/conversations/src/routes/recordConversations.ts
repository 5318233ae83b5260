import { parseJsonBody } from '@plugboard/plugin-api';
import type { Hono } from 'hono';
import type { ConversationsConfig } from '../config.js';
import type { ConversationServiceApi } from '../refs.js';
import { exchangesBody } from '../schemas.js';
import type { RecordResult } from '../types.js';

const resultJson = (r: RecordResult) => ({ id: r.id, user_id: r.userId, created: r.created, user_created: r.userCreated });

/**
 * `POST /api/conversations` (one exchange or an array). It answers 201 when it stored at least
 * one conversation, 200 when every id was already stored (a retry); `created` tells which.
 */
export function recordConversationsRoutes(http: Hono, service: ConversationServiceApi, config: ConversationsConfig): void {
  const body = exchangesBody(config.maxBatchSize);
  http.post('/api/conversations', async (c) => {
    const { many, exchanges } = await parseJsonBody(c, body);
    const results = await service.record(exchanges);
    const status = results.some((r) => r.created) ? 201 : 200;
    return c.json({ data: many ? results.map(resultJson) : resultJson(results[0]!) }, status);
  });
}
