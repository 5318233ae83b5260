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
});
