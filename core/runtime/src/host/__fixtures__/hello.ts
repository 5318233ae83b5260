import { z } from 'zod';
import { definePlugin } from '@plugboard/plugin-api';

/** Serves GET /api/hello with its configured greeting. */
export default definePlugin({
  name: 'hello',
  version: '1.0.0',
  core: '^0.1.0',
  config: z.object({ greeting: z.string().default('hello') }),
  setup(ctx) {
    ctx.http.get('/api/hello', (c) => c.json({ greeting: ctx.config.greeting }));
  },
});
