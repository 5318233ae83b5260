import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';

/**
 * Creates the `pg_stat_statements` extension, which plugins/db-indexes reads for its query
 * reports. On a server the app does not own, the role may lack the right, or the library may not
 * be preloaded: that costs the reports, not the start, so it is logged and reported as `false`.
 *
 * @example
 * if (!(await ensureStatStatements(sequelize, logger))) logger.warn('no query statistics');
 */
export async function ensureStatStatements(sequelize: Sequelize, logger: Logger): Promise<boolean> {
  try {
    await sequelize.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    return true;
  } catch (err) {
    logger.debug({ err }, "Could not create extension 'pg_stat_statements'; query statistics will be unavailable.");
    return false;
  }
}
