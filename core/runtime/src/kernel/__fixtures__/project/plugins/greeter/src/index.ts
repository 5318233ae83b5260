import { z } from 'zod';
import { definePlugin } from '@plugboard/plugin-api';

export default definePlugin({
  name: 'greeter',
  version: '1.0.0',
  core: '^0.1.0',
  config: z.object({ greeting: z.string().default('hello').describe('What to say') }),
  setup() {},
});
