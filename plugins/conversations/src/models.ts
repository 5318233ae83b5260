/**
 * The Sequelize model of `users`, for ORM-style reads (`Users.findByPk`). It is a class made per
 * Sequelize instance, since each kernel (and each test) has its own. The schema itself comes from
 * the migrations; this definition must agree with them. Conversations are written and read with
 * SQL of their own (writers/, queries.ts), so they have no model.
 */
import { DataTypes, Model } from 'sequelize';
import type { ModelStatic, Sequelize } from 'sequelize';

export interface DomainModels {
  Users: ModelStatic<Model>;
}

/**
 * Defines `Users` on `sequelize`.
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
  return { Users };
}
