import { contextTokens, coreServices, inject, injectable } from '@plugboard/plugin-api';
import type { DatabaseService } from '@plugboard/plugin-api';
import type { Counter, Meter } from '@opentelemetry/api';
import { QueryTypes } from 'sequelize';
import type { ConversationsConfig } from './config.js';
import { ConversationsError } from './errors.js';
import { PageReader } from './PageReader.js';
import { queries } from './queries.js';
import {
  conversationWriterRef,
  userCacheRef,
  type ConversationServiceApi,
  type ConversationWriter,
  type TimeRange,
  type UserCache,
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
} from './types.js';

/**
 * A database error is the core's to answer: 503 `database_unavailable` (with Retry-After, logged
 * once per outage) when the database cannot answer, else a 500 for the bug it is. Checked by
 * shape, as a plugin does not import Sequelize's error classes from the runtime's copy.
 */
function isDatabaseError(err: unknown): err is Error {
  return err instanceof Error && err.name.startsWith('Sequelize');
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
 * The domain's operations. Writes go through the `conversations.writer` handle, so whichever
 * provider ranks highest at the moment of the call (the direct one here, a batching one when
 * enabled) does the work; a writer stores a row and moves its user's counters together. Reads
 * of users go through `users.cache`; every write through this service invalidates the users it
 * touched.
 *
 * @example
 * const service = ctx.create(ConversationService);
 * await service.record([{ id: randomUUID(), userId: 42, aiModel: 'gpt-4o', userMessage: 'hi',
 *   aiResponse: 'hello', promptTokens: 3, completionTokens: 5 }]);
 */
@injectable()
export class ConversationService implements ConversationServiceApi {
  /** Conversations stored, by AI model and status (a retried id already stored is not counted again). */
  private readonly recorded: Counter;
  /** Tokens of the conversations stored, by AI model and token type (input, output). */
  private readonly tokens: Counter;

  constructor(
    @inject(conversationWriterRef) private readonly writer: ConversationWriter,
    @inject(userCacheRef) private readonly cache: UserCache,
    @inject(UserStore) private readonly users: UserStore,
    @inject(PageReader) private readonly pages: PageReader,
    @inject(coreServices.database) private readonly db: DatabaseService,
    @inject(contextTokens.config) private readonly config: ConversationsConfig,
    @inject(contextTokens.meter) meter: Meter,
  ) {
    this.recorded = meter.createCounter('plugboard.conversations.recorded', {
      unit: '{conversation}',
      description: 'Conversations stored, by AI model and status.',
    });
    this.tokens = meter.createCounter('plugboard.conversations.tokens', {
      unit: '{token}',
      description: 'Tokens of the conversations stored, by AI model and token type (input: prompt, output: completion).',
    });
  }

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
    // Each write stores its row and moves its user's counters in one statement, so a failed one
    // changed nothing and a retry of its id stores and counts it once. Every write is awaited,
    // even after one failed, so nothing runs on after the answer.
    const writes = await Promise.allSettled(rows.map((row) => this.writer.write(row)));
    // Even a failed request may have stored part of its rows.
    for (const userId of usersCreated.keys()) this.cache.invalidate(userId);
    const created = writes.map((w) => w.status === 'fulfilled' && w.value);
    const failures = writes.flatMap((w) => (w.status === 'rejected' ? [w.reason as unknown] : []));
    if (failures.length > 0) {
      const fromDatabase = failures.find(isDatabaseError);
      if (fromDatabase !== undefined) throw fromDatabase;
      const missing = rows.filter((_, i) => writes[i]!.status === 'rejected').map((row) => row.id);
      throw new ConversationsError(
        'notStored',
        `Conversations ${missing.map((id) => `'${id}'`).join(', ')} were not stored: retry the request with the same ids (conversations already stored are neither stored nor counted twice).`,
        {
          cause: failures.length === 1 ? failures[0] : new AggregateError(failures, 'Several writes failed.'),
          details: { conversationIds: missing },
        },
      );
    }

    rows.forEach((row, i) => {
      if (created[i] === true) this.measure(row);
    });
    return rows.map((row, i) => ({
      id: row.id,
      userId: row.userId,
      created: created[i] === true,
      userCreated: usersCreated.get(row.userId) === true,
    }));
  }

  /** Counts one stored conversation and its tokens. */
  private measure(row: NewConversation): void {
    const model = row.aiModel;
    this.recorded.add(1, { 'gen_ai.request.model': model, 'plugboard.conversation.status': row.status });
    this.tokens.add(row.promptTokens, { 'gen_ai.request.model': model, 'gen_ai.token.type': 'input' });
    this.tokens.add(row.completionTokens, { 'gen_ai.request.model': model, 'gen_ai.token.type': 'output' });
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
