import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { conversationServiceRef, type ConversationServiceApi } from './refs.js';
import { startApp, type TestApp } from './testSupport.js';
import { UserStore } from './UserStore.js';
import type { ExchangeInput } from './types.js';

let app: TestApp;
let service: ConversationServiceApi;
let nextUser = 1;

beforeAll(async () => {
  app = await startApp({ defaultPageSize: 2 });
  service = app.kernel.get(conversationServiceRef);
});
afterAll(() => app?.close());

const sql = (text: string, bind: unknown[] = []) => app.db.sequelize.query(text, { bind });

function input(userId: number, overrides: Partial<ExchangeInput> = {}): ExchangeInput {
  return { id: randomUUID(), userId, aiModel: 'gpt-4o', userMessage: 'hi', aiResponse: 'hello', promptTokens: 10, completionTokens: 5, ...overrides };
}

let user: number;
beforeEach(() => {
  user = 5000 + nextUser++;
});

describe('record', () => {
  it('creates the user on first contact and counts the exchange', async () => {
    const at = new Date('2025-03-01T10:00:00.000Z');
    const [result] = await service.record([input(user, { username: 'ada', createdAt: at })]);
    expect(result).toMatchObject({ userId: user, created: true, userCreated: true });
    const u = await service.getUser(user);
    expect(u).toMatchObject({ id: user, username: 'ada', messageCount: 1, tokensUsed: 15, lastActivityAt: at, isBlocked: false });

    const [second] = await service.record([input(user, { promptTokens: 1, completionTokens: 2 })]);
    expect(second).toMatchObject({ created: true, userCreated: false });
    expect(await service.getUser(user)).toMatchObject({ messageCount: 2, tokensUsed: 18 });
  });

  it('writes a retried id once and leaves the counters alone', async () => {
    const exchange = input(user);
    await service.record([exchange]);
    const [retry] = await service.record([exchange]);
    expect(retry).toMatchObject({ id: exchange.id, created: false });
    const [rows] = await sql('SELECT count(*)::int AS n FROM conversations WHERE id = $1', [exchange.id]);
    expect(rows).toEqual([{ n: 1 }]);
    expect(await service.getUser(user)).toMatchObject({ messageCount: 1, tokensUsed: 15 });
  });

  it('merges several exchanges of one user into one change', async () => {
    const results = await service.record([input(user), input(user), input(user + 1000)]);
    expect(results.map((r) => r.created)).toEqual([true, true, true]);
    expect(await service.getUser(user)).toMatchObject({ messageCount: 2, tokensUsed: 30 });
    expect(await service.getUser(user + 1000)).toMatchObject({ messageCount: 1 });
  });

  it('refuses a blocked user before writing anything', async () => {
    await service.record([input(user)]);
    // Recording invalidated the cached user, so the block made behind the service's back is seen.
    await sql('UPDATE users SET is_blocked = true WHERE id = $1', [user]);
    const blocked = input(user);
    await expect(service.record([input(user + 2000), blocked])).rejects.toThrow(
      `User '${user}' is blocked: unblock the user before recording their conversations.`,
    );
    const [rows] = await sql('SELECT count(*)::int AS n FROM conversations WHERE id = $1', [blocked.id]);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('creates no new user of a request that a blocked user makes fail', async () => {
    const newcomer = user + 3000;
    await sql('INSERT INTO users (id, is_blocked) VALUES ($1, true)', [user]);
    // The blocked user's lookup answers only after the newcomer's lookup and everything it set off
    // synchronously, so a service that creates users while others are still being looked up has begun.
    const find = UserStore.prototype.find;
    let newcomerLookup: Promise<unknown> = Promise.resolve();
    const findSpy = vi.spyOn(UserStore.prototype, 'find').mockImplementation(async function (this: UserStore, id: number) {
      if (id === newcomer) return (newcomerLookup = find.call(this, id));
      await newcomerLookup;
      await new Promise((resolve) => setImmediate(resolve));
      return find.call(this, id);
    });
    const createSpy = vi.spyOn(UserStore.prototype, 'createIfMissing');
    try {
      await expect(service.record([input(newcomer), input(user)])).rejects.toThrow(
        `User '${user}' is blocked: unblock the user before recording their conversations.`,
      );
      expect(createSpy).not.toHaveBeenCalled();
    } finally {
      findSpy.mockRestore();
      createSpy.mockRestore();
    }
    const [rows] = await sql('SELECT count(*)::int AS n FROM users WHERE id = $1', [newcomer]);
    expect(rows).toEqual([{ n: 0 }]);
  });
});

describe('user cache', () => {
  it('answers repeated reads from memory and reads again after a write', async () => {
    await service.record([input(user)]);
    const before = service.cacheStats();
    await service.getUser(user);
    await service.getUser(user);
    const after = service.cacheStats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(1);

    await service.record([input(user)]);
    expect(await service.getUser(user)).toMatchObject({ messageCount: 2 });
    expect(service.cacheStats().misses - after.misses).toBe(1);
  });

  it('does not cache a missing user', async () => {
    expect(await service.getUser(user)).toBeUndefined();
    await sql(`INSERT INTO users (id, username) VALUES ($1, 'late')`, [user]);
    expect(await service.getUser(user)).toMatchObject({ id: user, username: 'late' });
  });
});

describe('reads', () => {
  it("pages a user's conversations newest first, ties broken by id, without gaps", async () => {
    const t = (m: number) => new Date(Date.UTC(2025, 0, 1, 12, m));
    const exchanges = [t(1), t(2), t(2), t(2), t(3)].map((createdAt) => input(user, { createdAt }));
    await service.record(exchanges);
    // A microsecond a JS Date cannot hold must not make the cursor skip rows.
    await sql(`UPDATE conversations SET created_at = created_at + interval '1 microsecond' WHERE id = $1`, [exchanges[0]!.id]);
    const expected = [...exchanges]
      .sort((a, b) => b.createdAt!.getTime() - a.createdAt!.getTime() || (a.id < b.id ? 1 : -1))
      .map((e) => e.id);
    const seen: string[] = [];
    let before: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await service.latestConversations(user, before === undefined ? {} : { before });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((c) => c.id));
      if (page.next === null) break;
      before = page.next;
    }
    expect(seen).toEqual(expected);
  });

  it('rejects reads of an unknown user as userNotFound', async () => {
    await expect(service.latestConversations(user)).rejects.toMatchObject({ kind: 'userNotFound' });
    await expect(service.tokenTotals(user)).rejects.toThrow(`User '${user}' does not exist: check the id.`);
  });

  it("sums a user's tokens", async () => {
    await service.record([input(user), input(user, { promptTokens: 100, completionTokens: 0 })]);
    expect(await service.tokenTotals(user)).toEqual({ userId: user, conversations: 2, totalTokens: 115 });
  });

  it('aggregates per model and per day over a time range', async () => {
    const day = (d: number, h = 12) => new Date(Date.UTC(2024, 5, d, h));
    await service.record([
      input(user, { aiModel: 'model-a', createdAt: day(10) }),
      input(user, { aiModel: 'model-a', createdAt: day(10, 23) }),
      input(user, { aiModel: 'model-b', createdAt: day(11), promptTokens: 1, completionTokens: 1 }),
      input(user, { aiModel: 'model-a', createdAt: day(20) }), // outside the range
    ]);
    const range = { from: day(10, 0), to: day(12, 0) };
    expect(await service.modelAnalytics(range)).toEqual([
      { aiModel: 'model-a', conversations: 2, totalTokens: 30 },
      { aiModel: 'model-b', conversations: 1, totalTokens: 2 },
    ]);
    expect(await service.modelAnalytics(range, 'model-b')).toEqual([{ aiModel: 'model-b', conversations: 1, totalTokens: 2 }]);
    expect(await service.dailyCounts(range)).toEqual([
      { day: '2024-06-10', conversations: 2, totalTokens: 30 },
      { day: '2024-06-11', conversations: 1, totalTokens: 2 },
    ]);
  });

  it('lists conversations by status at or above a processing time, slowest first', async () => {
    const model = `status-${user}`;
    await service.record([
      input(user, { aiModel: model, status: 'failed', processingTimeMs: 100 }),
      input(user, { aiModel: model, status: 'failed', processingTimeMs: 9_000_001 }),
      input(user, { aiModel: model, status: 'failed', processingTimeMs: 9_000_003 }),
      input(user, { aiModel: model, status: 'failed', processingTimeMs: 9_000_002 }),
      input(user, { aiModel: model, status: 'completed', processingTimeMs: 9_000_005 }),
    ]);
    const first = await service.conversationsByStatus('failed', { minProcessingMs: 9_000_000 });
    expect(first.items.map((c) => c.processingTimeMs)).toEqual([9_000_003, 9_000_002]);
    const second = await service.conversationsByStatus('failed', { minProcessingMs: 9_000_000, before: first.next! });
    expect(second).toMatchObject({ next: null });
    expect(second.items.map((c) => c.processingTimeMs)).toEqual([9_000_001]);
  });
});

describe('user lists', () => {
  beforeAll(async () => {
    await sql('DELETE FROM users WHERE id BETWEEN 1 AND 99');
    await sql(`INSERT INTO users (id, is_premium, premium_until, is_blocked, last_activity_at) VALUES
      (1, true, now() + interval '3 days', false, now() - interval '1 hour'),
      (2, true, now() + interval '1 day', false, now() - interval '3 hours'),
      (3, true, now() - interval '1 day', false, NULL),
      (4, true, now() + interval '2 days', true, now() - interval '2 hours'),
      (5, true, now() + interval '5 days', false, NULL),
      (6, false, NULL, true, NULL)`);
  });

  it('lists active premium users, soonest expiry first, in pages', async () => {
    const first = await service.activePremiumUsers();
    expect(first.items.map((u) => u.id)).toEqual([2, 1]);
    const second = await service.activePremiumUsers({ after: first.next! });
    expect(second.items.map((u) => u.id)).toEqual([5]);
    expect(second.next).toBeNull();
  });

  it('lists users by last activity and blocked users', async () => {
    const recent = await service.recentlyActiveUsers({ limit: 100 });
    const ids = recent.items.map((u) => u.id).filter((id) => id < 100);
    expect(ids).toEqual([1, 4, 2]);
    const blocked = await service.blockedUsers({ limit: 1 });
    expect(blocked.items.map((u) => u.id)).toEqual([4]);
    const rest = await service.blockedUsers({ limit: 100, after: blocked.next! });
    expect(rest.items.map((u) => u.id)[0]).toBe(6);
  });
});
