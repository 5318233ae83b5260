import type { Sequelize } from 'sequelize';

/**
 * The `core.database` service: one Sequelize instance (postgres dialect) shared by all plugins.
 * Provided by the app host, from `DATABASE_URL` or an embedded PostgreSQL.
 */
export interface DatabaseService {
  readonly sequelize: Sequelize;
  /** The connection URL with any password replaced by `***`. */
  readonly displayUrl: string;
  /** True when the app host started an embedded PostgreSQL for this process. */
  readonly embedded: boolean;
  /** Resolves when the database answers `SELECT 1`; rejects with the driver's error otherwise. */
  ping(): Promise<void>;
}
