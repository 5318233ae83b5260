import type { Sequelize } from 'sequelize';

/**
 * The `core.database` service: one Sequelize instance (postgres dialect) shared by all plugins.
 * Provided by the app host, from `DATABASE_URL` or an embedded PostgreSQL.
 *
 * Every statement on `sequelize` is bounded by the config's `database.statementTimeout`, and
 * every wait for a pooled connection by `database.acquireTimeout`, so a stuck database answers
 * requests with 503 `database_unavailable` in bounded time instead of holding them.
 */
export interface DatabaseService {
  readonly sequelize: Sequelize;
  /** The connection URL with any password replaced by `***`. */
  readonly displayUrl: string;
  /** True when the app host started an embedded PostgreSQL for this process. */
  readonly embedded: boolean;
  /** Resolves when the database answers `SELECT 1`; rejects with the driver's error otherwise. */
  ping(): Promise<void>;
  /**
   * Runs `work` on a second, small pool (4 connections) whose statements have no timeout, for
   * maintenance that is meant to take long: migrations, index builds, `VACUUM`, backfills. Work
   * waits up to 60 s for a free connection of it; opening one is still bounded by
   * `database.acquireTimeout`. Use it for that work only: a request served through it can hang
   * as long as the database does, and a long hold of its connections delays migrations.
   *
   * @example
   * await db.withoutTimeout((sequelize) =>
   *   sequelize.query('CREATE INDEX CONCURRENTLY IF NOT EXISTS conversations_user_created ON conversations (user_id, created_at DESC)'),
   * );
   */
  withoutTimeout<T>(work: (sequelize: Sequelize) => Promise<T>): Promise<T>;
}
