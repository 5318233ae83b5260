/**
 * The columns a writer stores a conversation in, and its values in the same order: the one
 * place the order is written, for the direct writer's bind parameters and for other plugins'
 * writers (plugins/batching's COPY lines and staging table).
 */
import type { NewConversation } from '../types.js';

/** The columns of `conversations` a writer fills, in the order of {@link conversationRow}. */
export const CONVERSATION_COLUMNS = [
  'id',
  'user_id',
  'ai_model',
  'user_message',
  'ai_response',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'status',
  'processing_time_ms',
  'created_at',
] as const;

/**
 * The values of `c` for {@link CONVERSATION_COLUMNS}, in their order.
 *
 * @example
 * await sequelize.query(`INSERT INTO conversations (${CONVERSATION_COLUMNS.join(', ')}) VALUES (...)`, { bind: conversationRow(c) });
 */
export function conversationRow(c: NewConversation): (string | number | Date | null)[] {
  return [
    c.id,
    c.userId,
    c.aiModel,
    c.userMessage,
    c.aiResponse,
    c.promptTokens,
    c.completionTokens,
    c.totalTokens,
    c.status,
    c.processingTimeMs,
    c.createdAt,
  ];
}
