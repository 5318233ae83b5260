import { describe, expect, it } from 'vitest';
import { configSchema } from './config.js';

describe('batching config', () => {
  it('has safe defaults for an empty section', () => {
    expect(configSchema.parse({})).toEqual({
      maxBatchSize: 1000,
      maxDelay: '10ms',
      maxQueueSize: 10_000,
      whenFull: 'block',
      retryAfter: '1s',
      maxConcurrentFlushes: 2,
      method: 'copy',
      retry: { maxAttempts: 8, initialDelay: '100ms', maxDelay: '5s', multiplier: 2, jitter: 0.5 },
      statementTimeout: '30s',
      connectTimeout: '10s',
      shutdownTimeout: '20s',
      ranking: 10,
    });
  });

  it('refuses a batch larger than the queue, naming the key and the fix', () => {
    const result = configSchema.safeParse({ maxBatchSize: 500, maxQueueSize: 100 });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['maxBatchSize'], message: 'Must not be larger than maxQueueSize: lower maxBatchSize or raise maxQueueSize' }),
    ]);
  });

  it('refuses an unknown full-queue policy', () => {
    const result = configSchema.safeParse({ whenFull: 'drop' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['whenFull']);
  });
});
