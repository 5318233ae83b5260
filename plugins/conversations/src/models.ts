/**
 * Sequelize models of the two tables, for ORM-style access (`Users.findByPk`). They are classes
 * made per Sequelize instance, since each kernel (and each test) has its own. The schema itself
 * comes from the migrations; these definitions must agree with them.
 */
import { DataTypes, Model } from 'sequelize';
import type { ModelStatic, Sequelize } from 'sequelize';
import { CONVERSATION_STATUSES } from './types.js';

export interface DomainModels {
  Users: ModelStatic<Model>;
  Conversations: ModelStatic<Model>;
}

/**
 * Defines `Users` and `Conversations` on `sequelize`.
 *
 * @example
 * const { Users } = defineModels(db.sequelize);
 * const row = await Users.findByPk(42, { raw: true });
 */
export function defineModels(sequelize: Sequelize): DomainModels {
  class Users extends Model {}
  Users.init(
    {
      id: { type: DataTypes.BIGINT, primaryKey: true },
      username: { type: DataTypes.STRING(255), allowNull: true },
      is_premium: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      premium_until: { type: DataTypes.DATE, allowNull: true },
      is_blocked: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      last_activity_at: { type: DataTypes.DATE, allowNull: true },
      message_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      tokens_used: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    },
    { sequelize, tableName: 'users', modelName: 'User', timestamps: true, underscored: true },
  );

  class Conversations extends Model {}
  Conversations.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      user_id: { type: DataTypes.BIGINT, allowNull: false },
      ai_model: { type: DataTypes.STRING(100), allowNull: false },
      user_message: { type: DataTypes.TEXT, allowNull: false },
      ai_response: { type: DataTypes.TEXT, allowNull: true },
      prompt_tokens: { type: DataTypes.INTEGER, allowNull: false },
      completion_tokens: { type: DataTypes.INTEGER, allowNull: false },
      total_tokens: { type: DataTypes.INTEGER, allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false, validate: { isIn: [[...CONVERSATION_STATUSES]] } },
      processing_time_ms: { type: DataTypes.INTEGER, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
    },
    { sequelize, tableName: 'conversations', modelName: 'Conversation', timestamps: true, updatedAt: false, underscored: true },
  );

  Users.hasMany(Conversations, { foreignKey: 'user_id' });
  Conversations.belongsTo(Users, { foreignKey: 'user_id' });
  return { Users, Conversations };
}
