/**
 * The service refs of the domain. Writer and updater are provided here at ranking 0 by direct
 * implementations; a plugin that provides them at a higher ranking (batching) takes over every
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
  UserChange,
} from './types.js';

/** Persists new conversations. */
export interface ConversationWriter {
  /**
   * Stores `conversation` unless a conversation with its id exists. Resolves to true when it was
   * stored, false when the id was already there (so a retried request changes nothing).
   */
  write(conversation: NewConversation): Promise<boolean>;
}

/** Applies counter and activity changes to users. */
export interface UserUpdater {
  /** Adds `messages` and `tokens` to the user's counters and moves `last_activity_at` forward. */
  apply(change: UserChange): Promise<void>;
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
  /** Records exchanges: creates users on first contact, writes each conversation once, updates counters. */
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
export const userUpdaterRef = serviceRef<UserUpdater>('users.updater', {
  description: "Applies changes to users' counters and activity",
});
export const userCacheRef = serviceRef<UserCache>('users.cache', { description: 'Users by id through an LRU cache' });
