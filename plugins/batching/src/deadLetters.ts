/**
 * The dead-letter table: records the database refused for good, with the error, kept so that one
 * bad record never blocks its batch and nothing is silently lost. `plugboard batching replay`
 * writes them again once their cause is fixed.
 */
import type pg from 'pg';
import type { NewConversation } from '@plugboard/plugin-conversations';
import { isTransient } from './processor/retry.js';
import { withClient } from './writer/pgPool.js';

export const DEAD_LETTER_TABLE = 'batching_dead_letters';

/** A dead letter as stored. */
export interface DeadLetter {
  id: number;
  queue: string;
  itemId: string;
  payload: Record<string, unknown>;
  errorMessage: string;
  /** The SQLSTATE, when the database gave one (`23503`: foreign key violation). */
  errorCode: string | null;
  failedAt: Date;
  replayedAt: Date | null;
  replayError: string | null;
}

/** The SQLSTATE or node error code of `err`, when it has one. */
export function errorCodeOf(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** A conversation as its dead letter's payload holds it (JSON: the date as an ISO string). */
export function conversationFromPayload(payload: Record<string, unknown>): NewConversation {
  return { ...(payload as unknown as NewConversation), createdAt: new Date(String(payload['createdAt'])) };
}

/**
 * Reads and writes the dead-letter table through `pool`.
 *
 * @example
 * const store = new DeadLetterStore(pool);
 * await store.add('conversations', row.id, row, err);
 * const waiting = await store.pending(100);
 */
export class DeadLetterStore {
  constructor(private readonly pool: pg.Pool) {}

  private query(sql: string, params: unknown[]): Promise<pg.QueryResult> {
    return withClient(this.pool, (client) => client.query(sql, params), isTransient);
  }

  async add(queue: string, itemId: string, payload: unknown, error: unknown): Promise<void> {
    await this.query(`INSERT INTO ${DEAD_LETTER_TABLE} (queue, item_id, payload, error_message, error_code) VALUES ($1, $2, $3, $4, $5)`, [
      queue,
      itemId,
      JSON.stringify(payload),
      error instanceof Error ? error.message : String(error),
      errorCodeOf(error),
    ]);
  }

  /** Dead letters not replayed yet, oldest first. */
  async pending(limit: number, queue = 'conversations'): Promise<DeadLetter[]> {
    const result = await this.query(
      `SELECT id, queue, item_id, payload, error_message, error_code, failed_at, replayed_at, replay_error
       FROM ${DEAD_LETTER_TABLE} WHERE replayed_at IS NULL AND queue = $1 ORDER BY id LIMIT $2`,
      [queue, limit],
    );
    return result.rows.map((r: Record<string, unknown>) => ({
      id: Number(r['id']),
      queue: String(r['queue']),
      itemId: String(r['item_id']),
      payload: r['payload'] as Record<string, unknown>,
      errorMessage: String(r['error_message']),
      errorCode: (r['error_code'] as string | null) ?? null,
      failedAt: r['failed_at'] as Date,
      replayedAt: (r['replayed_at'] as Date | null) ?? null,
      replayError: (r['replay_error'] as string | null) ?? null,
    }));
  }

  async markReplayed(id: number): Promise<void> {
    await this.query(`UPDATE ${DEAD_LETTER_TABLE} SET replayed_at = now(), replay_error = NULL WHERE id = $1`, [id]);
  }

  async markReplayFailed(id: number, error: unknown): Promise<void> {
    await this.query(`UPDATE ${DEAD_LETTER_TABLE} SET replay_error = $2 WHERE id = $1`, [id, error instanceof Error ? error.message : String(error)]);
  }
}
