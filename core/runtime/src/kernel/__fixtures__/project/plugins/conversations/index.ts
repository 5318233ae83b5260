import { z } from 'zod';
import { definePlugin } from '@plugboard/plugin-api';

export default definePlugin({
  name: 'conversations',
  version: '0.1.0',
  core: '^0.1.0',
  config: z.object({
    cache: z.object({ max: z.number().int().positive().default(10_000), ttl: z.string().default('5m') }).prefault({}),
  }),
  setup() {},
});
