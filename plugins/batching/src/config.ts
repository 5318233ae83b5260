import { durationSchema } from '@plugboard/plugin-api';
import { z } from 'zod';

/**
 * The `batching:` section of the config file. Every key has a safe default: batches of up to
 * 1,000 rows written at most 10 ms after their first row arrived, two at a time, with callers
 * waiting (not refused) once 10,000 rows are pending.
 *
 * @example
 * plugins:
 *   batching:
 *     maxBatchSize: 2000
 *     whenFull: reject
 */
export const configSchema = z
  .object({
    maxBatchSize: z.number().int().min(1).max(50_000).default(1000).describe('Most rows one batch writes.'),
    maxDelay: durationSchema.default('10ms').describe('Longest a row waits for its batch to fill before the batch is written anyway.'),
    maxQueueSize: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(10_000)
      .describe('Most rows accepted and not yet written (queued or in a batch being written); bounds the memory the queue holds.'),
    whenFull: z
      .enum(['block', 'reject'])
      .default('block')
      .describe('When maxQueueSize rows are pending: block (the request waits for room) or reject (503 overloaded with Retry-After).'),
    retryAfter: durationSchema.default('1s').describe('Retry-After told to a request refused because the queue is full (whenFull: reject).'),
    maxConcurrentFlushes: z.number().int().min(1).max(32).default(2).describe('Most batches written at once; also the size of the plugin\'s connection pool.'),
    method: z
      .enum(['copy', 'unnest'])
      .default('copy')
      .describe('How a batch travels: COPY into a temporary staging table (faster) or arrays unnested in one INSERT.'),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(100).default(8).describe('Attempts per batch in all, the first included, on transient errors.'),
        initialDelay: durationSchema.default('100ms').describe('Wait before the first retry.'),
        maxDelay: durationSchema.default('5s').describe('Longest wait between two attempts.'),
        multiplier: z.number().min(1).max(10).default(2).describe('Growth of the wait per attempt.'),
        jitter: z.number().min(0).max(1).default(0.5).describe('Share of each wait that is random, so retries of many batches spread out.'),
      })
      .prefault({})
      .describe('Retries of batches that failed with a transient error (lost connection, serialization failure, too many connections).'),
    statementTimeout: durationSchema.default('30s').describe("Longest statement of the plugin's connections (COPY, INSERT)."),
    connectTimeout: durationSchema.default('10s').describe('Longest wait for a connection of the plugin\'s pool, opening one included.'),
    shutdownTimeout: durationSchema
      .default('20s')
      .describe('Longest the plugin waits, when it stops (SIGTERM, disable, reload), for pending rows to be written; rows left are logged by id. Keep it below kernel.stopTimeout.'),
    ranking: z.number().int().min(1).default(10).describe('Ranking of the batched conversations.writer; it must be above the direct writer (0).'),
  })
  .refine((c) => c.maxBatchSize <= c.maxQueueSize, {
    path: ['maxBatchSize'],
    message: 'Must not be larger than maxQueueSize: lower maxBatchSize or raise maxQueueSize',
  });

export type BatchingConfig = z.output<typeof configSchema>;
