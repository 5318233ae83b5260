import { definePlugin } from '@plugboard/plugin-api';

/** Takes a second to start: long enough for a signal to arrive while the kernel starts. */
export default definePlugin({
  name: 'slow-start',
  version: '1.0.0',
  core: '^0.1.0',
  async setup() {
    await new Promise((resolve) => setTimeout(resolve, 1000));
  },
});
