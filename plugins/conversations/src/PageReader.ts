import { coreServices, inject, injectable } from '@plugboard/plugin-api';
import type { DatabaseService } from '@plugboard/plugin-api';
import { QueryTypes } from 'sequelize';
import { decodeCursor, encodeCursor, isNonNegativeInt, isUuid, type CursorPartCheck } from './cursor.js';
import { isPgTimestamp } from './pgTimestamp.js';
import { MAX_UUID, queries } from './queries.js';
import { conversationFromRow, userFromRow } from './rows.js';
import type { Conversation, ConversationStatus, Page, PremiumUser, User } from './types.js';

type Row = Record<string, unknown>;

/** The processing time of the last row: null while the previous page ended among rows without one. */
const isProcessingKey: CursorPartCheck = (v) => v === null || (isNonNegativeInt(v) && (v as number) <= 2_147_483_647);

/**
 * Runs the keyset-paginated queries: reads one row more than asked to know whether a next page
 * exists, and makes its cursor from the last row returned.
 *
 * @example
 * const first = await pages.userConversations(42, 20);
 * const second = await pages.userConversations(42, 20, first.next ?? undefined);
 */
@injectable()
export class PageReader {
  constructor(@inject(coreServices.database) private readonly db: DatabaseService) {}

  async userConversations(userId: number, limit: number, before?: string): Promise<Page<Conversation>> {
    const [key, id] = before ? decodeCursor<string, string>(before, 'before', isPgTimestamp, isUuid) : ['infinity', MAX_UUID];
    const rows = await this.select(queries.userConversations.sql, [userId, key, id, limit + 1]);
    return page(rows, limit, conversationFromRow, (r) => encodeCursor(String(r.cursor_key), String(r.id)));
  }

  async conversationsByStatus(status: ConversationStatus, minMs: number, limit: number, before?: string): Promise<Page<Conversation>> {
    const [key, id] = before ? decodeCursor<number | null, string>(before, 'before', isProcessingKey, isUuid) : [null, MAX_UUID];
    const rows = await this.select(queries.conversationsByStatus.sql, [status, minMs, key, id, limit + 1]);
    const keyOf = (r: Row) => (r.processing_time_ms === null ? null : Number(r.processing_time_ms));
    return page(rows, limit, conversationFromRow, (r) => encodeCursor(keyOf(r), String(r.id)));
  }

  async activePremiumUsers(at: Date, limit: number, after?: string): Promise<Page<PremiumUser>> {
    const [key, id] = after ? decodeCursor<string, number>(after, 'after', isPgTimestamp, isNonNegativeInt) : ['-infinity', 0];
    const rows = await this.select(queries.activePremiumUsers.sql, [at, key, id, limit + 1]);
    const toItem = (r: Row): PremiumUser => ({ id: Number(r.id), premiumUntil: new Date(String(r.premium_until)) });
    return page(rows, limit, toItem, (r) => encodeCursor(String(r.cursor_key), Number(r.id)));
  }

  async recentlyActiveUsers(limit: number, before?: string): Promise<Page<User>> {
    const [key, id] = before
      ? decodeCursor<string, number>(before, 'before', isPgTimestamp, isNonNegativeInt)
      : ['infinity', Number.MAX_SAFE_INTEGER];
    const rows = await this.select(queries.recentlyActiveUsers.sql, [key, id, limit + 1]);
    return page(rows, limit, userFromRow, (r) => encodeCursor(String(r.cursor_key), Number(r.id)));
  }

  async blockedUsers(limit: number, after?: string): Promise<Page<User>> {
    const [, id] = after ? decodeCursor<number, number>(after, 'after', isNonNegativeInt, isNonNegativeInt) : [0, 0];
    const rows = await this.select(queries.blockedUsers.sql, [id, limit + 1]);
    return page(rows, limit, userFromRow, (r) => encodeCursor(0, Number(r.id)));
  }

  private select(sql: string, bind: unknown[]): Promise<Row[]> {
    return this.db.sequelize.query<Row>(sql, { type: QueryTypes.SELECT, bind });
  }
}

function page<T>(rows: Row[], limit: number, toItem: (r: Row) => T, cursorOf: (r: Row) => string): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(toItem), next: more && last !== undefined ? cursorOf(last) : null };
}
