/**
 * Schema of the domain: tables, primary keys, the foreign key and check constraints only. The
 * query indexes belong to plugins/db-indexes, so that their effect can be measured against this
 * bare schema.
 */
import type { PluginMigration } from '@plugboard/plugin-api';

const createUsers: PluginMigration = {
  name: '0001-create-users',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE users (
        id               bigint PRIMARY KEY CONSTRAINT users_id_positive CHECK (id > 0),
        username         varchar(255),
        is_premium       boolean NOT NULL DEFAULT false,
        premium_until    timestamptz,
        is_blocked       boolean NOT NULL DEFAULT false,
        last_activity_at timestamptz,
        message_count    integer NOT NULL DEFAULT 0 CONSTRAINT users_message_count_non_negative CHECK (message_count >= 0),
        tokens_used      bigint NOT NULL DEFAULT 0 CONSTRAINT users_tokens_used_non_negative CHECK (tokens_used >= 0),
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE users');
  },
};

const createConversations: PluginMigration = {
  name: '0002-create-conversations',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE conversations (
        id                 uuid PRIMARY KEY,
        user_id            bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        ai_model           varchar(100) NOT NULL,
        user_message       text NOT NULL,
        ai_response        text,
        prompt_tokens      integer NOT NULL CONSTRAINT conversations_prompt_tokens_non_negative CHECK (prompt_tokens >= 0),
        completion_tokens  integer NOT NULL CONSTRAINT conversations_completion_tokens_non_negative CHECK (completion_tokens >= 0),
        total_tokens       integer NOT NULL,
        status             varchar(16) NOT NULL DEFAULT 'completed'
                           CONSTRAINT conversations_status_known CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
        processing_time_ms integer CONSTRAINT conversations_processing_time_non_negative CHECK (processing_time_ms >= 0),
        created_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT conversations_total_tokens_sum CHECK (total_tokens = prompt_tokens + completion_tokens)
      )`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE conversations');
  },
};

/** In order; names are stored as `conversations:<name>` by the host. */
export const migrations: readonly PluginMigration[] = [createUsers, createConversations];
