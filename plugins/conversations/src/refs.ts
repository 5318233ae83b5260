/**
 * The service refs of the domain. The writer is provided here at ranking 0 by a direct
 * implementation; a plugin that provides it at a higher ranking (batching) takes over every
 * write without any change to the service.
 */
import { serviceRef } from '@plugboard/plugin-api';
import type {
  CacheStats,
  Conversation,
  ConversationStatus,
  DailyCount,
  ExchangeInput,
  ModelUsage,
  NewConversation,
  Page,
  PremiumUser,
  RecordResult,
  TokenTotals,
  User,
} from './types.js';

/** Persists new conversations, each with its user's counters. */
export interface ConversationWriter {
  /**
   * Stores `conversation` unless a conversation with its id exists and, in the same statement or
   * transaction, adds it to its user's `message_count`, `tokens_used` and `last_activity_at`, so
   * no failure can store the row without counting it. Resolves to true when it was stored now
   * (counters moved), false when the id was already there (nothing moved, so a retried request
   * changes nothing). A batching writer may merge many writes into one set-based statement.
   */
  write(conversation: NewConversation): Promise<boolean>;
}

/** Users by id, read through an LRU cache. */
export interface UserCache {
  /** The user, from the cache or the database; undefined when there is no such user. */
  get(id: number): Promise<User | undefined>;
  /** Forgets `id`, so the next `get` reads the database. */
  invalidate(id: number): void;
  clear(): void;
  /** Drops expired entries now; returns how many. */
  purgeStale(): number;
  stats(): CacheStats;
}

export interface TimeRange {
  from: Date;
  to: Date;
}

/** The domain's operations, as routes and other plugins use them. */
export interface ConversationServiceApi {
  /** Records exchanges: creates users on first contact, writes each conversation once with its user's counters. */
  record(exchanges: readonly ExchangeInput[]): Promise<RecordResult[]>;
  getUser(id: number): Promise<User | undefined>;
  latestConversations(userId: number, options?: { limit?: number; before?: string }): Promise<Page<Conversation>>;
  tokenTotals(userId: number): Promise<TokenTotals>;
  modelAnalytics(range: TimeRange, aiModel?: string): Promise<ModelUsage[]>;
  dailyCounts(range: TimeRange): Promise<DailyCount[]>;
  activePremiumUsers(options?: { limit?: number; after?: string; at?: Date }): Promise<Page<PremiumUser>>;
  recentlyActiveUsers(options?: { limit?: number; before?: string }): Promise<Page<User>>;
  blockedUsers(options?: { limit?: number; after?: string }): Promise<Page<User>>;
  conversationsByStatus(
    status: ConversationStatus,
    options?: { minProcessingMs?: number; limit?: number; before?: string },
  ): Promise<Page<Conversation>>;
  cacheStats(): CacheStats;
}

export const conversationServiceRef = serviceRef<ConversationServiceApi>('conversations.service', {
  description: 'Records exchanges and answers the domain queries',
});
export const conversationWriterRef = serviceRef<ConversationWriter>('conversations.writer', {
  description: 'Persists new conversations',
});
export const userCacheRef = serviceRef<UserCache>('users.cache', { description: 'Users by id through an LRU cache' });
