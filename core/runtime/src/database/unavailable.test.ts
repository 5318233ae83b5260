import { ConnectionAcquireTimeoutError, ConnectionRefusedError, DatabaseError, UniqueConstraintError } from 'sequelize';
import { describe, expect, test } from 'vitest';
import { databaseUnavailableError, unavailableReason } from './unavailable.js';

const pgError = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code });
const wrapped = (message: string, code?: string) => new DatabaseError(pgError(message, code) as Error & { sql: string; parameters: object });

describe('databaseUnavailableError', () => {
  test.each([
    ['a refused connection', new ConnectionRefusedError(pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))],
    ['a pool that had no connection free', new ConnectionAcquireTimeoutError(new Error('Operation timeout'))],
    ['a reset socket', wrapped('read ECONNRESET', 'ECONNRESET')],
    ['an admin shutdown (57P01)', wrapped('terminating connection due to administrator command', '57P01')],
    ['a server starting up (57P03)', wrapped('the database system is starting up', '57P03')],
    ['a connection exception (08006)', wrapped('connection failure', '08006')],
    ['our statement timeout (57014)', wrapped('canceling statement due to statement timeout', '57014')],
    ['a connection lost mid-query', wrapped('Connection terminated unexpectedly')],
    ['the client-side query timeout', wrapped('Query read timeout')],
    ['a cause of a domain error', new Error('not stored', { cause: wrapped('Connection terminated unexpectedly') })],
  ])('finds %s', (_what, err) => {
    expect(databaseUnavailableError(err)).toBeInstanceOf(Error);
  });

  test.each([
    ['a cancel someone asked for (57014)', wrapped('canceling statement due to user request', '57014')],
    ['a syntax error', wrapped('syntax error at or near "SELEC"', '42601')],
    ['a unique violation', new UniqueConstraintError({ message: 'Validation error' })],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNREFUSED'],
  ])('ignores %s', (_what, err) => {
    expect(databaseUnavailableError(err)).toBeUndefined();
  });
});

describe('unavailableReason', () => {
  test('names the config key behind a timeout, and keeps the driver words otherwise', () => {
    expect(unavailableReason(new ConnectionAcquireTimeoutError(new Error('Operation timeout')))).toBe('no pooled connection came free within database.acquireTimeout');
    expect(unavailableReason(pgError('Query read timeout'))).toBe('no answer within database.statementTimeout and its 1 s grace');
    expect(unavailableReason(pgError('timeout expired'))).toBe('opening a connection took longer than database.acquireTimeout');
    expect(unavailableReason(pgError('canceling statement due to statement timeout', '57014'))).toBe('canceling statement due to statement timeout (database.statementTimeout)');
    expect(unavailableReason(pgError('terminating connection due to administrator command', '57P01'))).toBe('terminating connection due to administrator command');
  });
});
