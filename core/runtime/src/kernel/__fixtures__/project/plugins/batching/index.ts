import { z } from 'zod';
import { definePlugin } from '@plugboard/plugin-api';

export default definePlugin({
  name: 'batching',
  version: '0.1.0',
  core: '^0.1.0',
  dependsOn: { conversations: '^0.1.0' },
  config: z.strictObject({
    maxBatchSize: z.number().int().positive().default(500),
    flushEvery: z.string().default('1s'),
  }),
  setup() {},
});
