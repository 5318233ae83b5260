import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { NewConversation } from '@plugboard/plugin-conversations';
import { isTransient } from '../processor/retry.js';
import { COLUMNS, copyChunks } from './copyText.js';
import { withClient } from './pgPool.js';

/** How a batch reaches PostgreSQL: COPY into a temporary staging table, or arrays unnested in one statement. */
export type WriteMethod = 'copy' | 'unnest';

const COLS = COLUMNS.join(', ');
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

  async write(rows: readonly NewConversation[]): Promise<boolean[]> {
    if (rows.length === 0) return [];
    const first = new Map<string, number>();
    rows.forEach((r, i) => {
      if (!first.has(r.id)) first.set(r.id, i);
    });
    const unique = first.size === rows.length ? rows : [...first.values()].map((i) => rows[i]!);
    const inserted = await this.transaction(unique);
    return rows.map((r, i) => first.get(r.id) === i && inserted.has(r.id));
  }

  private transaction(rows: readonly NewConversation[]): Promise<Set<string>> {
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

  private async viaCopy(client: pg.PoolClient, rows: readonly NewConversation[]): Promise<pg.QueryResult<{ id: string }>> {
    await pipeline(Readable.from(copyChunks(rows)), client.query(copyFrom(`COPY ${STAGE} (${COLS}) FROM STDIN`)));
    return client.query<{ id: string }>(FROM_STAGE);
  }

  private viaArrays(client: pg.PoolClient, rows: readonly NewConversation[]): Promise<pg.QueryResult<{ id: string }>> {
    return client.query<{ id: string }>(FROM_ARRAYS, [
      rows.map((r) => r.id),
      rows.map((r) => r.userId),
      rows.map((r) => r.aiModel),
      rows.map((r) => r.userMessage),
      rows.map((r) => r.aiResponse),
      rows.map((r) => r.promptTokens),
      rows.map((r) => r.completionTokens),
      rows.map((r) => r.totalTokens),
      rows.map((r) => r.status),
      rows.map((r) => r.processingTimeMs),
      rows.map((r) => r.createdAt),
    ]);
  }
}
