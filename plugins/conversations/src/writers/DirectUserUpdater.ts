import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';
import type { UserUpdater } from '../refs.js';
import type { UserChange } from '../types.js';

const UPDATE = `UPDATE users SET
  message_count = message_count + $2,
  tokens_used = tokens_used + $3,
  last_activity_at = GREATEST(last_activity_at, $4),
  updated_at = now()
WHERE id = $1`;

/**
 * The `users.updater` provided at ranking 0: one UPDATE per change. Changes are additive, so a
 * batching updater may merge several for one user into one.
 *
 * @example
 * ctx.provide(userUpdaterRef, new DirectUserUpdater(sequelize));
 */
export class DirectUserUpdater implements UserUpdater {
  constructor(private readonly sequelize: Sequelize) {}

  async apply(change: UserChange): Promise<void> {
    await this.sequelize.query(UPDATE, {
      type: QueryTypes.UPDATE,
      bind: [change.userId, change.messages, change.tokens, change.lastActivityAt],
    });
  }
}
