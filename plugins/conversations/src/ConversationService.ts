import { contextTokens, coreServices, inject, injectable } from '@plugboard/plugin-api';
import type { DatabaseService } from '@plugboard/plugin-api';
import { QueryTypes } from 'sequelize';
import type { ConversationsConfig } from './config.js';
import { ConversationsError } from './errors.js';
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

/** Undoes the rows of a user whose counters were not updated. */
const UNSTORE = 'DELETE FROM conversations WHERE id = ANY($1::uuid[])';

/** What the service logs with. */
interface ErrorLogger {
  error(details: object, message: string): void;
}

/** One change per user: the merged messages, tokens and latest activity of `rows`. */
function changesOf(rows: readonly NewConversation[]): UserChange[] {
  const changes = new Map<number, UserChange>();
  for (const row of rows) {
    const change = changes.get(row.userId) ?? { userId: row.userId, messages: 0, tokens: 0, lastActivityAt: row.createdAt };
    change.messages += 1;
    change.tokens += row.totalTokens;
    if (row.createdAt > change.lastActivityAt) change.lastActivityAt = row.createdAt;
    changes.set(row.userId, change);
  }
  return [...changes.values()];
}

function refuseBlocked(user: User | undefined): void {
  if (user?.isBlocked === true) {
    throw new ConversationsError('userBlocked', `User '${user.id}' is blocked: unblock the user before recording their conversations.`, { details: { userId: user.id } });
  }
}

/** Like Promise.all, but rejects only once every promise settled, so nothing runs on after the answer. */
async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

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
    @inject(contextTokens.logger) private readonly logger: ErrorLogger,
  ) {}

  async record(exchanges: readonly ExchangeInput[]): Promise<RecordResult[]> {
    // Users first, all of them, so a blocked user fails the request before anything is written
    // and every conversation's user exists before a (possibly batched) writer inserts it.
    const usersCreated = await this.ensureUsers(new Map(exchanges.map((e) => [e.userId, e.username ?? null])));

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
    // Every write is awaited, even after one failed, so the counters follow the rows that were stored.
    const writes = await Promise.allSettled(rows.map((row) => this.writer.write(row)));
    const created = writes.map((w) => w.status === 'fulfilled' && w.value);
    const failures: unknown[] = [];
    const notStored = new Set<string>();
    const uncounted: string[] = [];
    writes.forEach((w, i) => {
      if (w.status === 'rejected') {
        failures.push(w.reason);
        notStored.add(rows[i]!.id);
      }
    });

    try {
      // Counters move only for conversations stored now: a retried id changes nothing.
      const changes = changesOf(rows.filter((_, i) => created[i]));
      const applies = await Promise.allSettled(changes.map((change) => this.updater.apply(change)));
      for (const [i, applied] of applies.entries()) {
        if (applied.status === 'fulfilled') continue;
        failures.push(applied.reason);
        const userId = changes[i]!.userId;
        const ids = rows.filter((row, j) => created[j] && row.userId === userId).map((row) => row.id);
        if (await this.unstore(userId, ids)) for (const id of ids) notStored.add(id);
        else uncounted.push(...ids);
      }
    } finally {
      // Even a failed request may have written part of its rows or counters.
      for (const userId of usersCreated.keys()) this.cache.invalidate(userId);
    }

    if (failures.length > 0) {
      const quoted = (ids: string[]) => ids.map((id) => `'${id}'`).join(', ');
      const missing = rows.filter((row) => notStored.has(row.id)).map((row) => row.id);
      const parts = [];
      if (missing.length > 0) {
        parts.push(`Conversations ${quoted(missing)} were not stored: retry the request with the same ids (conversations already stored are neither stored nor counted twice).`);
      }
      if (uncounted.length > 0) parts.push(`Conversations ${quoted(uncounted)} were stored but not counted in their user's counters.`);
      throw new ConversationsError('notStored', parts.join(' '), {
        cause: failures.length === 1 ? failures[0] : new AggregateError(failures, 'Several writes or counter updates failed.'),
      });
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

  /**
   * Deletes conversations this request stored for a user whose counters could not be updated, so
   * the client's retry stores and counts them again. False when the delete failed (logged).
   */
  private async unstore(userId: number, ids: readonly string[]): Promise<boolean> {
    try {
      await this.db.sequelize.query(UNSTORE, { type: QueryTypes.DELETE, bind: [ids] });
      return true;
    } catch (err) {
      this.logger.error(
        { err, userId, conversationIds: ids },
        `Conversations ${ids.map((id) => `'${id}'`).join(', ')} were stored but the counters of user '${userId}' were not updated, and deleting them failed: the user's message_count, tokens_used and last_activity_at may now be off.`,
      );
      return false;
    }
  }

  /**
   * Looks every user up first and refuses the request if one is blocked, before creating anyone;
   * then creates the missing ones. Returns, per user, whether this call created it.
   */
  private async ensureUsers(usernames: ReadonlyMap<number, string | null>): Promise<Map<number, boolean>> {
    const ids = [...usernames.keys()];
    const found = await settleAll(ids.map((id) => this.cache.get(id)));
    found.forEach((user) => refuseBlocked(user));
    const created = await settleAll(
      ids.map(async (id, i) => {
        if (found[i] !== undefined) return false;
        const made = await this.users.createIfMissing(id, usernames.get(id) ?? null);
        refuseBlocked(made.user); // blocked by someone else between the lookup and the insert
        return made.created;
      }),
    );
    return new Map(ids.map((id, i) => [id, created[i] === true]));
  }

  private async requireUser(userId: number): Promise<User> {
    const user = await this.cache.get(userId);
    if (user === undefined) throw ConversationsError.userNotFound(userId);
    return user;
  }

  private limit(requested: number | undefined): number {
    return Math.min(requested ?? this.config.defaultPageSize, this.config.maxPageSize);
  }

  private select(sql: string, bind: unknown[]): Promise<Record<string, unknown>[]> {
    return this.db.sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT, bind });
  }
}
