/**
 * Rows as PostgreSQL returns them (snake_case; bigint as a string) to the domain's types, and
 * domain objects to the snake_case JSON the REST API answers with.
 */
import type { Conversation, ConversationStatus, User } from './types.js';

type Row = Record<string, unknown>;

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const toDateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : toDate(v));

export function userFromRow(r: Row): User {
  return {
    id: Number(r.id),
    username: (r.username as string | null) ?? null,
    isPremium: Boolean(r.is_premium),
    premiumUntil: toDateOrNull(r.premium_until),
    isBlocked: Boolean(r.is_blocked),
    lastActivityAt: toDateOrNull(r.last_activity_at),
    messageCount: Number(r.message_count),
    tokensUsed: Number(r.tokens_used),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

export function conversationFromRow(r: Row): Conversation {
  return {
    id: String(r.id),
    userId: Number(r.user_id),
    aiModel: String(r.ai_model),
    userMessage: String(r.user_message),
    aiResponse: (r.ai_response as string | null) ?? null,
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    totalTokens: Number(r.total_tokens),
    status: r.status as ConversationStatus,
    processingTimeMs: r.processing_time_ms === null ? null : Number(r.processing_time_ms),
    createdAt: toDate(r.created_at),
  };
}

/** A user as the REST API shows it. */
export function userJson(u: User): Record<string, unknown> {
  return {
    id: u.id,
    username: u.username,
    is_premium: u.isPremium,
    premium_until: u.premiumUntil,
    is_blocked: u.isBlocked,
    last_activity_at: u.lastActivityAt,
    message_count: u.messageCount,
    tokens_used: u.tokensUsed,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
  };
}

/** A conversation as the REST API shows it. */
export function conversationJson(c: Conversation): Record<string, unknown> {
  return {
    id: c.id,
    user_id: c.userId,
    ai_model: c.aiModel,
    user_message: c.userMessage,
    ai_response: c.aiResponse,
    prompt_tokens: c.promptTokens,
    completion_tokens: c.completionTokens,
    total_tokens: c.totalTokens,
    status: c.status,
    processing_time_ms: c.processingTimeMs,
    created_at: c.createdAt,
  };
}
