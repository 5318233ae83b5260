import { ApiError, contextTokens, coreServices, inject, injectable } from '@plugboard/core';
import type { DatabaseService } from '@plugboard/core';
import { QueryTypes } from 'sequelize';
import type { ConversationsConfig } from './config.js';
import { PageReader } from './PageReader.js';
import { queries } from './queries.js';
import {
  conversationWriterRef,
  userCacheRef,
  userUpdaterRef,
  type ConversationServiceApi,
  type ConversationWriter,
  type TimeRange,
  type UserCache,
  type UserUpdater,
} from './refs.js';
import { UserStore } from './UserStore.js';
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

/**
 * The domain's operations. Writes go through the `conversations.writer` and `users.updater`
 * handles, so whichever provider ranks highest at the moment of the call (the direct one here,
 * a batching one when enabled) does the work. Reads of users go through `users.cache`; every
 * write through this service invalidates the users it touched.
 *
 * @example
 * const service = ctx.create(ConversationService);
 * await service.record([{ id: randomUUID(), userId: 42, aiModel: 'gpt-4o', userMessage: 'hi',
 *   aiResponse: 'hello', promptTokens: 3, completionTokens: 5 }]);
 */
@injectable()
export class ConversationService implements ConversationServiceApi {
  constructor(
    @inject(conversationWriterRef) private readonly writer: ConversationWriter,
    @inject(userUpdaterRef) private readonly updater: UserUpdater,
    @inject(userCacheRef) private readonly cache: UserCache,
    @inject(UserStore) private readonly users: UserStore,
    @inject(PageReader) private readonly pages: PageReader,
    @inject(coreServices.database) private readonly db: DatabaseService,
    @inject(contextTokens.config) private readonly config: ConversationsConfig,
  ) {}

  async record(exchanges: readonly ExchangeInput[]): Promise<RecordResult[]> {
    // Users first, all of them, so a blocked user fails the request before anything is written
    // and every conversation's user exists before a (possibly batched) writer inserts it.
    const usersCreated = new Map<number, boolean>();
    await Promise.all(
      [...new Map(exchanges.map((e) => [e.userId, e.username ?? null])).entries()].map(async ([userId, username]) => {
        usersCreated.set(userId, await this.ensureUser(userId, username));
      }),
    );

    const now = new Date();
    const rows = exchanges.map((e): NewConversation => ({
      id: e.id,
      userId: e.userId,
      aiModel: e.aiModel,
      userMessage: e.userMessage,
      aiResponse: e.aiResponse ?? null,
      promptTokens: e.promptTokens,
      completionTokens: e.completionTokens,
      totalTokens: e.promptTokens + e.completionTokens,
      status: e.status ?? 'completed',
      processingTimeMs: e.processingTimeMs ?? null,
      createdAt: e.createdAt ?? now,
    }));
    let created: boolean[];
    try {
      created = await Promise.all(rows.map((row) => this.writer.write(row)));
    } finally {
      // Even a failed batch may have written part of its rows.
      for (const userId of usersCreated.keys()) this.cache.invalidate(userId);
    }

    // Counters move only for conversations stored now: a retried id changes nothing.
    const changes = new Map<number, UserChange>();
    rows.forEach((row, i) => {
      if (!created[i]) return;
      const change = changes.get(row.userId) ?? { userId: row.userId, messages: 0, tokens: 0, lastActivityAt: row.createdAt };
      change.messages += 1;
      change.tokens += row.totalTokens;
      if (row.createdAt > change.lastActivityAt) change.lastActivityAt = row.createdAt;
      changes.set(row.userId, change);
    });
    try {
      await Promise.all([...changes.values()].map((change) => this.updater.apply(change)));
    } finally {
      for (const userId of changes.keys()) this.cache.invalidate(userId);
    }

    return rows.map((row, i) => ({
      id: row.id,
      userId: row.userId,
      created: created[i] === true,
      userCreated: usersCreated.get(row.userId) === true,
    }));
  }

  getUser(id: number): Promise<User | undefined> {
    return this.cache.get(id);
  }

  async latestConversations(userId: number, options: { limit?: number; before?: string } = {}): Promise<Page<Conversation>> {
    await this.requireUser(userId);
    return this.pages.userConversations(userId, this.limit(options.limit), options.before);
  }

  async tokenTotals(userId: number): Promise<TokenTotals> {
    await this.requireUser(userId);
    const [row] = await this.select(queries.userTokenTotals.sql, [userId]);
    return { userId, conversations: Number(row?.conversations ?? 0), totalTokens: Number(row?.total_tokens ?? 0) };
  }

  async modelAnalytics(range: TimeRange, aiModel?: string): Promise<ModelUsage[]> {
    const rows =
      aiModel === undefined
        ? await this.select(queries.allModelAnalytics.sql, [range.from, range.to])
        : await this.select(queries.modelAnalytics.sql, [aiModel, range.from, range.to]);
    return rows.map((r) => ({ aiModel: String(r.ai_model), conversations: Number(r.conversations), totalTokens: Number(r.total_tokens) }));
  }

  async dailyCounts(range: TimeRange): Promise<DailyCount[]> {
    const rows = await this.select(queries.dailyCounts.sql, [range.from, range.to]);
    return rows.map((r) => ({ day: String(r.day), conversations: Number(r.conversations), totalTokens: Number(r.total_tokens) }));
  }

  activePremiumUsers(options: { limit?: number; after?: string; at?: Date } = {}): Promise<Page<PremiumUser>> {
    return this.pages.activePremiumUsers(options.at ?? new Date(), this.limit(options.limit), options.after);
  }

  recentlyActiveUsers(options: { limit?: number; before?: string } = {}): Promise<Page<User>> {
    return this.pages.recentlyActiveUsers(this.limit(options.limit), options.before);
  }

  blockedUsers(options: { limit?: number; after?: string } = {}): Promise<Page<User>> {
    return this.pages.blockedUsers(this.limit(options.limit), options.after);
  }

  conversationsByStatus(
    status: ConversationStatus,
    options: { minProcessingMs?: number; limit?: number; before?: string } = {},
  ): Promise<Page<Conversation>> {
    return this.pages.conversationsByStatus(status, options.minProcessingMs ?? 0, this.limit(options.limit), options.before);
  }

  cacheStats(): CacheStats {
    return this.cache.stats();
  }

  /** Returns true when this call created the user. */
  private async ensureUser(userId: number, username: string | null): Promise<boolean> {
    let user = await this.cache.get(userId);
    let created = false;
    if (user === undefined) ({ user, created } = await this.users.createIfMissing(userId, username));
    if (user.isBlocked) {
      throw new ApiError(403, 'user_blocked', `User '${userId}' is blocked: unblock the user before recording their conversations.`);
    }
    return created;
  }

  private async requireUser(userId: number): Promise<User> {
    const user = await this.cache.get(userId);
    if (user === undefined) throw new ApiError(404, 'user_not_found', `User '${userId}' does not exist: check the id.`);
    return user;
  }

  private limit(requested: number | undefined): number {
    return Math.min(requested ?? this.config.defaultPageSize, this.config.maxPageSize);
  }

  private select(sql: string, bind: unknown[]): Promise<Record<string, unknown>[]> {
    return this.db.sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT, bind });
  }
}
