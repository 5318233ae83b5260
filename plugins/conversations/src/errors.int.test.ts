import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from './cursor.js';
import { ConversationsError } from './errors.js';
import { conversationServiceRef, conversationWriterRef, type ConversationServiceApi, type ConversationWriter } from './refs.js';
import { startApp, type TestApp } from './testSupport.js';
import type { ExchangeInput } from './types.js';

// The service called directly, with no HTTP around it: its errors are the domain's, with a kind.

let app: TestApp;
let service: ConversationServiceApi;
beforeAll(async () => {
  app = await startApp();
  service = app.kernel.get(conversationServiceRef);
});
afterAll(() => app?.close());

const input = (userId: number): ExchangeInput => ({
  id: randomUUID(),
  userId,
  aiModel: 'gpt-4o',
  userMessage: 'hi',
  aiResponse: 'hello',
  promptTokens: 1,
  completionTokens: 2,
});

/** The error `promise` rejects with, checked to be a ConversationsError and not an HTTP error. */
async function domainError(promise: Promise<unknown>): Promise<ConversationsError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConversationsError);
  expect(err).not.toHaveProperty('status');
  return err as ConversationsError;
}

describe('ConversationService errors', () => {
  it('refuses a blocked user with userBlocked', async () => {
    await app.db.sequelize.query('INSERT INTO users (id, is_blocked) VALUES (9101, true)');
    const err = await domainError(service.record([input(9101)]));
    expect(err).toMatchObject({
      kind: 'userBlocked',
      message: "User '9101' is blocked: unblock the user before recording their conversations.",
      details: { userId: 9101 },
    });
  });

  it('answers reads of an unknown user with userNotFound', async () => {
    for (const read of [service.latestConversations(9102), service.tokenTotals(9102)]) {
      expect(await domainError(read)).toMatchObject({
        kind: 'userNotFound',
        message: "User '9102' does not exist: check the id.",
        details: { userId: 9102 },
      });
    }
  });

  it('refuses a cursor it did not make with invalidCursor, naming the parameter', async () => {
    await service.record([input(9103)]);
    const impossible = encodeCursor('2025-13-01 00:00:00+00', 1);
    const cases: [Promise<unknown>, string][] = [
      [service.latestConversations(9103, { before: 'abc' }), 'before'],
      [service.conversationsByStatus('completed', { before: 'abc' }), 'before'],
      [service.activePremiumUsers({ after: impossible }), 'after'],
      [service.recentlyActiveUsers({ before: impossible }), 'before'],
      [service.blockedUsers({ after: 'abc' }), 'after'],
    ];
    for (const [read, parameter] of cases) {
      expect(await domainError(read)).toMatchObject({
        kind: 'invalidCursor',
        message: `${parameter}: Invalid cursor: pass the 'next' value of the previous page unchanged`,
        details: { parameter },
      });
    }
  });

  it('reports conversations a writer failed to store with notStored, the failure as cause', async () => {
    const failure = new Error('disk full');
    const failing: ConversationWriter = { write: () => Promise.reject(failure) };
    const registration = app.kernel.provide(conversationWriterRef, failing, { ranking: 10 });
    const exchange = input(9104);
    try {
      const err = await domainError(service.record([exchange]));
      expect(err).toMatchObject({
        kind: 'notStored',
        message: `Conversations '${exchange.id}' were not stored: retry the request with the same ids (conversations already stored are neither stored nor counted twice).`,
        cause: failure,
      });
    } finally {
      await registration.unregister();
    }
  });
});
