import { ApiError } from '@plugboard/plugin-api';
import { describe, expect, it } from 'vitest';
import { ConversationsError, type ConversationsErrorKind } from '../errors.js';
import { toHttpError } from './domainErrors.js';

describe('toHttpError', () => {
  it.each<[ConversationsErrorKind, string, number, string, string]>([
    ['userBlocked', "User '7' is blocked: unblock the user.", 403, 'user_blocked', "User '7' is blocked: unblock the user."],
    ['userNotFound', "User '7' does not exist: check the id.", 404, 'user_not_found', "User '7' does not exist: check the id."],
    ['notStored', "Conversations 'a' were not stored: retry.", 503, 'not_stored', "Conversations 'a' were not stored: retry."],
    ['invalidCursor', 'before: Invalid cursor: pass it unchanged', 400, 'invalid_request', 'query.before: Invalid cursor: pass it unchanged'],
  ])('maps %s to its status and code', (kind, message, status, code, httpMessage) => {
    const domain = new ConversationsError(kind, message);
    const mapped = toHttpError(domain);
    expect(mapped).toBeInstanceOf(ApiError);
    expect(mapped).toMatchObject({ status, code, message: httpMessage, cause: domain, details: undefined });
  });

  it('hands any other error on unchanged', () => {
    const validation = new ApiError(400, 'invalid_request', 'query.limit: Too big');
    const bug = new TypeError('x is undefined');
    expect(toHttpError(validation)).toBe(validation);
    expect(toHttpError(bug)).toBe(bug);
  });

  it("answers a writer's full queue as 503 overloaded with Retry-After, and a dead-lettered record as 422 dead_lettered", () => {
    const full = Object.assign(new Error("The 'conversations' batch queue is full (10 writes waiting): nothing was stored. Retry after 2 s."), {
      writeRefusal: 'overloaded',
      retryAfterSeconds: 2,
    });
    const overloaded = toHttpError(
      new ConversationsError('notStored', "Conversations 'a' were not stored: retry.", { cause: full, details: { conversationIds: ['a'] } }),
    ) as ApiError;
    expect(overloaded).toMatchObject({
      status: 503,
      code: 'overloaded',
      message: "Conversations 'a' were not stored: The 'conversations' batch queue is full (10 writes waiting): nothing was stored. Retry after 2 s.",
    });
    expect(overloaded.getResponse().headers.get('retry-after')).toBe('2');

    const dead = Object.assign(new Error("Record 'b' was refused by the database (check failed) and kept in the dead-letter table."), { writeRefusal: 'deadLettered' });
    const refused = toHttpError(
      new ConversationsError('notStored', "Conversations 'b' were not stored: retry.", {
        cause: new AggregateError([new Error('other'), dead], 'Several writes failed.'),
        details: { conversationIds: ['b'] },
      }),
    );
    expect(refused).toMatchObject({
      status: 422,
      code: 'dead_lettered',
      message: "Conversations 'b' were not stored: Record 'b' was refused by the database (check failed) and kept in the dead-letter table.",
    });

    const plain = toHttpError(new ConversationsError('notStored', "Conversations 'c' were not stored: retry.", { cause: new Error('boom') }));
    expect(plain).toMatchObject({ status: 503, code: 'not_stored' });
  });
});
