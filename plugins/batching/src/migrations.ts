import type { PluginMigration } from '@plugboard/plugin-api';
import { DEAD_LETTER_TABLE } from './deadLetters.js';

/** The dead-letter table; `replayed_at` is set once `plugboard batching replay` stored the record. */
const createDeadLetters: PluginMigration = {
  name: '0001-create-dead-letters',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE ${DEAD_LETTER_TABLE} (
        id            bigserial PRIMARY KEY,
        queue         text NOT NULL,
        item_id       text NOT NULL,
        payload       jsonb NOT NULL,
        error_message text NOT NULL,
        error_code    text,
        failed_at     timestamptz NOT NULL DEFAULT now(),
        replayed_at   timestamptz,
        replay_error  text
      )`);
    await sequelize.query(`CREATE INDEX ${DEAD_LETTER_TABLE}_waiting ON ${DEAD_LETTER_TABLE} (queue, id) WHERE replayed_at IS NULL`);
  },
  async down({ sequelize }) {
    await sequelize.query(`DROP TABLE ${DEAD_LETTER_TABLE}`);
  },
};

export const migrations: PluginMigration[] = [createDeadLetters];
