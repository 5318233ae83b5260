import { describe, expect, it } from 'vitest';
import { configSchema } from './config.js';

describe('conversations config', () => {
  it('applies every default to an empty section', () => {
    expect(configSchema.parse({})).toEqual({
      maxBatchSize: 100,
      defaultPageSize: 20,
      maxPageSize: 100,
      maxRangeDays: 400,
      cache: { max: 10_000, ttl: '5m', purgeEvery: '1m' },
    });
  });

  it('refuses a default page size larger than the largest page', () => {
    const result = configSchema.safeParse({ defaultPageSize: 50, maxPageSize: 10 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['defaultPageSize', 'Must not be larger than maxPageSize: lower defaultPageSize or raise maxPageSize'],
    ]);
  });
});
