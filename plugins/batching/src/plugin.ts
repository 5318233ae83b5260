import { coreServices, definePlugin, parseDuration, type PluginContext } from '@plugboard/plugin-api';
import { conversationWriterRef, type NewConversation } from '@plugboard/plugin-conversations';
import { configSchema, type BatchingConfig } from './config.js';
import { DeadLetterStore } from './deadLetters.js';
import { batchTelemetry } from './metrics.js';
import { migrations } from './migrations.js';
import { BatchProcessor } from './processor/BatchProcessor.js';
import { isTransient } from './processor/retry.js';
import { replayCommand } from './replay.js';
import { BatchedConversationWriter } from './writer/BatchedConversationWriter.js';
import { ConversationBatchSink } from './writer/ConversationBatchSink.js';
import { batchPool } from './writer/pgPool.js';

const QUEUE = 'conversations';
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The processor of conversation writes, on a pool of its own, with dead letters, telemetry and logs. */
function conversationProcessor(ctx: PluginContext<BatchingConfig>) {
  const config = ctx.config;
  const { sequelize } = ctx.get(coreServices.database);
  const pool = batchPool(sequelize, {
    max: config.maxConcurrentFlushes,
    statementTimeoutMs: parseDuration(config.statementTimeout, 'batching.statementTimeout'),
    connectTimeoutMs: parseDuration(config.connectTimeout, 'batching.connectTimeout'),
  });
  const sink = new ConversationBatchSink(pool, config.method);
  const deadLetters = new DeadLetterStore(pool);
  let depth = () => 0;
  const telemetry = batchTelemetry(ctx.meter, ctx.tracer, QUEUE, () => depth());
  const processor = new BatchProcessor<NewConversation, boolean>({
    name: QUEUE,
    sink: (rows, { attempt }) => sink.write(rows, attempt),
    deadLetter: async (row, error) => {
      ctx.logger.error({ conversationId: row.id, err: error }, `Conversation '${row.id}' was refused by the database (${message(error)}); keeping it in the dead-letter table.`);
      await deadLetters.add(QUEUE, row.id, row, error);
    },
    idOf: (row) => row.id,
    maxBatchSize: config.maxBatchSize,
    maxDelayMs: parseDuration(config.maxDelay, 'batching.maxDelay'),
    maxQueueSize: config.maxQueueSize,
    whenFull: config.whenFull,
    retryAfterSeconds: Math.max(1, Math.ceil(parseDuration(config.retryAfter, 'batching.retryAfter') / 1000)),
    maxConcurrentFlushes: config.maxConcurrentFlushes,
    retry: {
      maxAttempts: config.retry.maxAttempts,
      initialDelayMs: parseDuration(config.retry.initialDelay, 'batching.retry.initialDelay'),
      maxDelayMs: parseDuration(config.retry.maxDelay, 'batching.retry.maxDelay'),
      multiplier: config.retry.multiplier,
      jitter: config.retry.jitter,
    },
    isTransient,
    observer: {
      ...telemetry,
      retried(attempt, delayMs, error) {
        telemetry.retried?.(attempt, delayMs, error);
        ctx.logger.warn({ attempt, delayMs }, `A batch of conversations failed (${message(error)}); retrying in ${delayMs} ms.`);
      },
    },
  });
  depth = () => processor.depth;
  return { processor, pool };
}

/**
 * Batched writes: a `conversations.writer` above the direct one that turns concurrent single-row
 * writes into set-based batches (COPY into a staging table, then one INSERT ... ON CONFLICT DO
 * NOTHING that counts the inserted rows into their users). Stopping it (SIGTERM, disable, reload)
 * stops taking writes, writes everything accepted within `shutdownTimeout`, and sends later writes
 * to the provider below, so no write is lost.
 */
export default definePlugin({
  name: 'batching',
  version: '0.1.0',
  core: '^0.1.0',
  description: 'Batched conversation writes with backpressure, retry, dead letters and flush on stop',
  dependsOn: { conversations: '^0.1.0' },
  provides: [conversationWriterRef],
  config: configSchema,
  migrations,
  commands: [replayCommand],
  setup(ctx) {
    const { processor, pool } = conversationProcessor(ctx);
    const shutdownMs = parseDuration(ctx.config.shutdownTimeout, 'batching.shutdownTimeout');
    let stopping: Promise<void> | undefined;
    // Runs from the provider's dispose (after the registry drained the calls in flight) or from the
    // stop hook, whichever comes first; either way everything accepted is written before the pool closes.
    const shutdown = () =>
      (stopping ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), shutdownMs)));
        const outcome = await Promise.race([processor.close().then(() => 'done' as const), timedOut]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          const ids = processor.pendingIds();
          ctx.logger.error({ conversationIds: ids }, `Batching stopped after ${shutdownMs} ms with ${ids.length} conversations not written: ${ids.join(', ')}.`);
          void pool.end().catch(() => undefined);
          return;
        }
        await pool.end();
      })());
    const writer = new BatchedConversationWriter(processor, ctx.next(conversationWriterRef));
    ctx.provide(conversationWriterRef, writer, { ranking: ctx.config.ranking, dispose: shutdown });
    ctx.onStop(shutdown);
  },
});
