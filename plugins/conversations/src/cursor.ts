/**
 * Opaque keyset cursors: the sort key and the id of the last item of a page, as base64url JSON.
 * Clients pass them back unchanged; anything else is an `invalidCursor` error naming the parameter.
 */
import { ConversationsError } from './errors.js';

export type CursorKey = string | number;

/** Encodes the position after which (or before which) the next page starts. */
export function encodeCursor(key: CursorKey | null, id: CursorKey): string {
  return Buffer.from(JSON.stringify([key, id]), 'utf8').toString('base64url');
}

/** Checks one decoded part of a cursor. */
export type CursorPartCheck = (value: unknown) => boolean;

export const isUuid: CursorPartCheck = (v) =>
  typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
export const isNonNegativeInt: CursorPartCheck = (v) => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * Decodes a cursor made by {@link encodeCursor}, checking key and id; `param` names the parameter
 * (`before`, `after`) in the error, whose `details.parameter` it also is.
 *
 * @example
 * const [createdAt, id] = decodeCursor<string, string>(before, 'before', isPgTimestamp, isUuid);
 */
export function decodeCursor<K extends CursorKey | null, I extends CursorKey>(
  cursor: string,
  param: string,
  checkKey: CursorPartCheck,
  checkId: CursorPartCheck,
): [K, I] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (Array.isArray(value) && value.length === 2 && checkKey(value[0]) && checkId(value[1])) {
    return value as [K, I];
  }
  throw new ConversationsError('invalidCursor', `${param}: Invalid cursor: pass the 'next' value of the previous page unchanged`, {
    details: { parameter: param },
  });
}
