import { definePlugin } from '@plugboard/plugin-api';

/** A plugin whose stop hook never finishes: only a second signal ends the process. */
export default definePlugin({
  name: 'stuck-stop',
  version: '1.0.0',
  core: '^0.1.0',
  setup(ctx) {
    ctx.onStop(() => new Promise(() => undefined));
  },
});
