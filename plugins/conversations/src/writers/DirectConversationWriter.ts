import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';
import type { ConversationWriter } from '../refs.js';
import type { NewConversation } from '../types.js';
import { CONVERSATION_COLUMNS, conversationRow } from './columns.js';

/**
 * One statement, so PostgreSQL commits the row and its user's counters together or neither: no
 * failure (a connection lost after the commit included) can leave a stored row uncounted, and a
 * retried id inserts nothing and so moves nothing. The UPDATE reads the rows the INSERT returned,
 * grouped per user, which is the shape a batching writer extends to many rows (VALUES lists).
 * A data-modifying WITH runs whether or not the final SELECT reads it.
 */
const WRITE = `WITH ins AS (
  INSERT INTO conversations (${CONVERSATION_COLUMNS.join(', ')})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  ON CONFLICT (id) DO NOTHING
  RETURNING user_id, total_tokens, created_at
), counted AS (
  UPDATE users u SET
    message_count = u.message_count + c.messages,
    tokens_used = u.tokens_used + c.tokens,
    last_activity_at = GREATEST(u.last_activity_at, c.last_activity_at),
    updated_at = now()
  FROM (SELECT user_id, count(*) AS messages, sum(total_tokens) AS tokens, max(created_at) AS last_activity_at FROM ins GROUP BY user_id) c
  WHERE u.id = c.user_id
)
SELECT count(*)::int AS stored FROM ins`;

/**
 * The `conversations.writer` provided at ranking 0: one statement per conversation that inserts
 * it unless its id exists and, in the same statement, adds it to its user's `message_count`,
 * `tokens_used` and `last_activity_at`.
 *
 * @example
 * ctx.provide(conversationWriterRef, new DirectConversationWriter(sequelize));
 */
export class DirectConversationWriter implements ConversationWriter {
  constructor(private readonly sequelize: Sequelize) {}

  async write(c: NewConversation): Promise<boolean> {
    const [row] = await this.sequelize.query<{ stored: number }>(WRITE, {
      type: QueryTypes.SELECT,
      bind: conversationRow(c),
    });
    return row?.stored === 1;
  }
}
