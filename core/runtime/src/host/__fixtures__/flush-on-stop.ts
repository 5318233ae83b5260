import { definePlugin } from '@plugboard/plugin-api';
import { coreServices } from '@plugboard/plugin-api';

/** Like a batching plugin: its stop hook must still reach the database. */
export default definePlugin({
  name: 'flush-on-stop',
  version: '1.0.0',
  core: '^0.1.0',
  setup(ctx) {
    const db = ctx.get(coreServices.database);
    ctx.onStop(async () => {
      // A flush takes a moment; a database that heard the Ctrl+C too is gone by then.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await db.sequelize.query('SELECT 1');
      ctx.logger.info('Stop hook reached the database.');
    });
  },
});
