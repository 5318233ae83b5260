import type { CommandContext, PluginCommand } from '@plugboard/plugin-api';
import type { BatchingConfig } from './config.js';
import { conversationFromPayload, DeadLetterStore } from './deadLetters.js';
import { parseDuration } from '@plugboard/plugin-api';
import { ConversationBatchSink } from './writer/ConversationBatchSink.js';
import { batchPool } from './writer/pgPool.js';

export interface ReplayResult {
  /** Dead letters written now. */
  stored: number;
  /** Dead letters whose id was stored meanwhile (nothing written, marked replayed). */
  alreadyStored: number;
  /** Dead letters refused again; each keeps its `replay_error`. */
  failed: number;
}

/**
 * Writes the dead letters not replayed yet again, one at a time in the order they failed, each
 * in the same transaction as its user's counters (the batched writer's statement); a success
 * sets `replayed_at`, a failure stores `replay_error` and leaves the dead letter waiting.
 *
 * @example
 * const result = await replayDeadLetters(pool, { limit: 1000 }); // { stored: 3, alreadyStored: 0, failed: 1 }
 */
export async function replayDeadLetters(
  store: DeadLetterStore,
  sink: ConversationBatchSink,
  options: { limit: number; onFailure?: (itemId: string, err: unknown) => void },
): Promise<ReplayResult> {
  const result: ReplayResult = { stored: 0, alreadyStored: 0, failed: 0 };
  for (const letter of await store.pending(options.limit)) {
    try {
      const [stored] = await sink.write([conversationFromPayload(letter.payload)]);
      await store.markReplayed(letter.id);
      if (stored === true) result.stored++;
      else result.alreadyStored++;
    } catch (err) {
      await store.markReplayFailed(letter.id, err);
      options.onFailure?.(letter.itemId, err);
      result.failed++;
    }
  }
  return result;
}

/** `plugboard batching replay [--limit n]`. */
export const replayCommand: PluginCommand<BatchingConfig> = {
  name: 'batching replay',
  description: 'write the dead-lettered records again (after fixing what refused them)',
  options: [{ flags: '--limit <n>', description: 'most dead letters to replay', default: '10000' }],
  async run(options, ctx: CommandContext<BatchingConfig>) {
    const limit = Number(options['limit']);
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a positive integer, got '${String(options['limit'])}': pass for example --limit 1000.`);
    const pool = batchPool(ctx.database.sequelize, {
      max: 1,
      statementTimeoutMs: parseDuration(ctx.config.statementTimeout, 'statementTimeout'),
      connectTimeoutMs: parseDuration(ctx.config.connectTimeout, 'connectTimeout'),
    });
    try {
      const result = await replayDeadLetters(new DeadLetterStore(pool), new ConversationBatchSink(pool, ctx.config.method), {
        limit,
        onFailure: (id, err) => ctx.out.write(`'${id}' refused again: ${err instanceof Error ? err.message : String(err)}\n`),
      });
      ctx.out.write(`Replayed dead letters: ${result.stored} stored, ${result.alreadyStored} already stored, ${result.failed} refused again (kept, with replay_error).\n`);
      if (result.failed > 0) process.exitCode = 1;
    } finally {
      await pool.end();
    }
  },
};
