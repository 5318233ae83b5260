import { durationSchema } from '@plugboard/plugin-api';
import { z } from 'zod';

/**
 * The `conversations:` section of the config file. Every key has a default.
 *
 * @example
 * plugins:
 *   conversations:
 *     maxBatchSize: 500
 *     cache: { max: 50000, ttl: 10m }
 */
export const configSchema = z.object({
  maxBatchSize: z.number().int().min(1).max(10_000).default(100).describe('Most exchanges one POST /api/conversations may carry.'),
  defaultPageSize: z.number().int().min(1).max(1000).default(20).describe('Items per page when a list request gives no limit.'),
  maxPageSize: z.number().int().min(1).max(1000).default(100).describe('Largest limit a list request may ask for.'),
  maxRangeDays: z.number().int().min(1).default(400).describe('Longest from..to range the analytics routes accept, in days.'),
  cache: z
    .object({
      max: z.number().int().min(1).default(10_000).describe('Most users kept in memory.'),
      ttl: durationSchema.default('5m').describe('How long a cached user is served before it is read again.'),
      purgeEvery: durationSchema.default('1m').describe('How often the background task drops expired users.'),
    })
    .prefault({})
    .describe('The user cache.'),
}).refine((c) => c.defaultPageSize <= c.maxPageSize, {
  path: ['defaultPageSize'],
  message: 'Must not be larger than maxPageSize: lower defaultPageSize or raise maxPageSize',
});

export type ConversationsConfig = z.output<typeof configSchema>;
