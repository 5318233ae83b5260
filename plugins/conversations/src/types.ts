/**
 * The domain's types: what the tables hold, as the service and its refs hand them around.
 * Ids of users are the chat platform's numeric ids (safe integers); ids of conversations are uuids
 * made by the client, so a retried write is recognised.
 */

export const CONVERSATION_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

/** A row of `users`. */
export interface User {
  id: number;
  username: string | null;
  isPremium: boolean;
  premiumUntil: Date | null;
  isBlocked: boolean;
  lastActivityAt: Date | null;
  messageCount: number;
  tokensUsed: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A row of `conversations`. */
export interface Conversation {
  id: string;
  userId: number;
  aiModel: string;
  userMessage: string;
  aiResponse: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  status: ConversationStatus;
  processingTimeMs: number | null;
  createdAt: Date;
}

/** What a {@link ConversationWriter} persists: a complete row. */
export type NewConversation = Conversation;

/** One exchange as a caller hands it to {@link ConversationService.record}. */
export interface ExchangeInput {
  id: string;
  userId: number;
  /** Stored when this exchange creates the user (first contact). */
  username?: string | null;
  aiModel: string;
  userMessage: string;
  aiResponse?: string | null;
  promptTokens: number;
  completionTokens: number;
  status?: ConversationStatus;
  processingTimeMs?: number | null;
  /** Default: now. */
  createdAt?: Date;
}

/** What recording one exchange did. */
export interface RecordResult {
  id: string;
  userId: number;
  /** False when a conversation with this id already existed (a retry): nothing was changed. */
  created: boolean;
  /** True when this exchange created the user. */
  userCreated: boolean;
}

/** One page of a keyset-paginated list. */
export interface Page<T> {
  items: T[];
  /** Pass back as `before`/`after` for the next page; null on the last page. */
  next: string | null;
}

export interface TokenTotals {
  userId: number;
  conversations: number;
  totalTokens: number;
}

export interface ModelUsage {
  aiModel: string;
  conversations: number;
  totalTokens: number;
}

export interface DailyCount {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  conversations: number;
  totalTokens: number;
}

export interface PremiumUser {
  id: number;
  premiumUntil: Date;
}

export interface CacheStats {
  size: number;
  max: number;
  ttlMs: number;
  hits: number;
  misses: number;
  evictions: number;
  /** hits / (hits + misses), 0 before any lookup. */
  hitRatio: number;
}
