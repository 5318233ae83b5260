import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';
import type { ConversationWriter } from '../refs.js';
import type { NewConversation } from '../types.js';

const INSERT = `INSERT INTO conversations
  (id, user_id, ai_model, user_message, ai_response, prompt_tokens, completion_tokens, total_tokens, status, processing_time_ms, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (id) DO NOTHING
RETURNING id`;

/**
 * The `conversations.writer` provided at ranking 0: one INSERT per conversation, which does
 * nothing when the id exists, so a retried request cannot store a conversation twice.
 *
 * @example
 * ctx.provide(conversationWriterRef, new DirectConversationWriter(sequelize));
 */
export class DirectConversationWriter implements ConversationWriter {
  constructor(private readonly sequelize: Sequelize) {}

  async write(c: NewConversation): Promise<boolean> {
    const rows = await this.sequelize.query(INSERT, {
      type: QueryTypes.SELECT,
      bind: [
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
      ],
    });
    return rows.length === 1;
  }
}
