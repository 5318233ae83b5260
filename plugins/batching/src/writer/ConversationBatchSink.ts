import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CONVERSATION_COLUMNS, conversationRow, type NewConversation } from '@plugboard/plugin-conversations';
import { isTransient } from '../processor/retry.js';
import { copyChunks } from './copyText.js';
import { withClient } from './pgPool.js';

/** How a batch reaches PostgreSQL: COPY into a temporary staging table, or arrays unnested in one statement. */
export type WriteMethod = 'copy' | 'unnest';

const COLS = CONVERSATION_COLUMNS.join(', ');
const STAGE = 'plugboard_batch_stage';

/**
 * Once per connection: a temporary table shaped like `conversations` (its NOT NULL columns, no
 * keys or checks), emptied at each commit, so a COPY needs no unique name and leaves nothing.
 */
const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS ${STAGE} (LIKE conversations) ON COMMIT DELETE ROWS`;

/**
 * Locks the batch's users in id order first, so two batches touching the same users queue up
 * instead of deadlocking on each other's counter updates.
 */
const LOCK_USERS = 'SELECT 1 FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE';

/** The rows that were new, and in the same statement their users' counters, merged per user. */
const countInserted = (source: string) => `WITH ins AS (
  INSERT INTO conversations (${COLS})
  ${source}
  ON CONFLICT (id) DO NOTHING
  RETURNING id, user_id, total_tokens, created_at
), counted AS (
  UPDATE users u SET
    message_count = u.message_count + c.messages,
    tokens_used = u.tokens_used + c.tokens,
    last_activity_at = GREATEST(u.last_activity_at, c.last_activity_at),
    updated_at = now()
  FROM (SELECT user_id, count(*) AS messages, sum(total_tokens) AS tokens, max(created_at) AS last_activity_at FROM ins GROUP BY user_id) c
  WHERE u.id = c.user_id
)
SELECT id FROM ins`;

/** After a COPY straight into `conversations` stored every row: their counters, merged per user in Node. */
const COUNT_COPIED = `UPDATE users u SET
    message_count = u.message_count + c.messages,
    tokens_used = u.tokens_used + c.tokens,
    last_activity_at = GREATEST(u.last_activity_at, c.last_activity_at),
    updated_at = now()
  FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::timestamptz[]) AS c(user_id, messages, tokens, last_activity_at)
  WHERE u.id = c.user_id`;

const FROM_STAGE = countInserted(`SELECT ${COLS} FROM ${STAGE}`);
const FROM_ARRAYS = countInserted(
  `SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::text[], $10::int[], $11::timestamptz[])`,
);

/**
 * Writes a batch of conversations in one transaction: the rows go in with
 * `INSERT ... ON CONFLICT (id) DO NOTHING RETURNING`, and the same statement adds exactly the
 * returned rows to their users' `message_count`, `tokens_used` and `last_activity_at`. So a retry
 * after an unknown outcome stores and counts nothing twice, and there is no parameter limit: the
 * rows travel as one COPY stream into a staging table (`copy`) or as eleven arrays (`unnest`).
 * With `copy`, a batch's first attempt streams straight into `conversations` instead (no staging,
 * no second insert; see {@link ConversationBatchSink.write}), which is what brings it near a bare COPY.
 * Resolves, per row, true when it was stored now and false when its id was there already (or
 * came earlier in the same batch).
 *
 * @example
 * const sink = new ConversationBatchSink(pool, 'copy');
 * const stored = await sink.write(rows); // [true, false, ...]
 */
export class ConversationBatchSink {
  private readonly staged = new WeakSet<pg.PoolClient>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly method: WriteMethod = 'copy',
  ) {}

  /**
   * `attempt` 1 of a batch (with `copy`) first tries COPY straight into `conversations` under a
   * savepoint: when no id is there yet (the usual case) every row is new, and their counters are
   * added in the same transaction. A unique violation rolls back to the savepoint and takes the
   * staging path, which skips the ids already there; so does every retry, whose earlier
   * attempt may have committed.
   */
  async write(rows: readonly NewConversation[], attempt = 1): Promise<boolean[]> {
    if (rows.length === 0) return [];
    const first = new Map<string, number>();
    rows.forEach((r, i) => {
      if (!first.has(r.id)) first.set(r.id, i);
    });
    const unique = first.size === rows.length ? rows : [...first.values()].map((i) => rows[i]!);
    const inserted = await this.transaction(unique, attempt === 1);
    return rows.map((r, i) => first.get(r.id) === i && inserted.has(r.id));
  }

  private transaction(rows: readonly NewConversation[], tryDirect: boolean): Promise<Set<string>> {
    return withClient(
      this.pool,
      async (client) => {
        if (this.method === 'copy' && !this.staged.has(client)) {
          await client.query(CREATE_STAGE);
          this.staged.add(client);
        }
        await client.query('BEGIN');
        try {
          const users = [...new Set(rows.map((r) => r.userId))].sort((a, b) => a - b);
          await client.query(LOCK_USERS, [users]);
          if (this.method === 'copy' && tryDirect && (await this.copyDirect(client, rows))) {
            await client.query('COMMIT');
            return new Set(rows.map((r) => r.id));
          }
          const result = this.method === 'copy' ? await this.viaCopy(client, rows) : await this.viaArrays(client, rows);
          await client.query('COMMIT');
          return new Set(result.rows.map((r) => r.id));
        } catch (err) {
          // A failed ROLLBACK means the connection is gone: report that, so the client is dropped.
          await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
            throw new Error(`ROLLBACK failed (${rollbackErr instanceof Error ? rollbackErr.message : String(rollbackErr)}) after: ${err instanceof Error ? err.message : String(err)}`, { cause: rollbackErr });
          });
          throw err;
        }
      },
      isTransient,
    );
  }

  /** COPY into `conversations` itself and count every row; false (rolled back to the savepoint) when an id was there. */
  private async copyDirect(client: pg.PoolClient, rows: readonly NewConversation[]): Promise<boolean> {
    await client.query('SAVEPOINT direct_copy');
    try {
      await pipeline(Readable.from(copyChunks(rows)), client.query(copyFrom(`COPY conversations (${COLS}) FROM STDIN`)));
    } catch (err) {
      if ((err as { code?: unknown }).code !== '23505') throw err;
      await client.query('ROLLBACK TO SAVEPOINT direct_copy');
      return false;
    }
    const perUser = new Map<number, { messages: number; tokens: number; last: Date }>();
    for (const r of rows) {
      const u = perUser.get(r.userId);
      if (u === undefined) perUser.set(r.userId, { messages: 1, tokens: r.totalTokens, last: r.createdAt });
      else {
        u.messages++;
        u.tokens += r.totalTokens;
        if (r.createdAt > u.last) u.last = r.createdAt;
      }
    }
    const users = [...perUser];
    await client.query(COUNT_COPIED, [users.map(([id]) => id), users.map(([, u]) => u.messages), users.map(([, u]) => u.tokens), users.map(([, u]) => u.last)]);
    return true;
  }

  private async viaCopy(client: pg.PoolClient, rows: readonly NewConversation[]): Promise<pg.QueryResult<{ id: string }>> {
    await pipeline(Readable.from(copyChunks(rows)), client.query(copyFrom(`COPY ${STAGE} (${COLS}) FROM STDIN`)));
    return client.query<{ id: string }>(FROM_STAGE);
  }

  private viaArrays(client: pg.PoolClient, rows: readonly NewConversation[]): Promise<pg.QueryResult<{ id: string }>> {
    // One array per column, in the columns' order.
    const columns = CONVERSATION_COLUMNS.map((): (string | number | Date | null)[] => []);
    for (const row of rows) conversationRow(row).forEach((value, i) => columns[i]!.push(value));
    return client.query<{ id: string }>(FROM_ARRAYS, columns);
  }
}
