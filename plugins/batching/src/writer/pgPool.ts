import pg from 'pg';
import type { Sequelize } from 'sequelize';

export interface BatchPoolOptions {
  /** Most connections: one per concurrent flush. */
  max: number;
  /** Longest statement, in ms, as the session's statement_timeout (the client gives up a little later). */
  statementTimeoutMs: number;
  /** Longest wait for a connection, including opening one, in ms. */
  connectTimeoutMs: number;
}

/**
 * A small pool of plain node-postgres clients on the database core's Sequelize uses (same host,
 * port, database, user, password and driver options), for COPY and set-based statements that
 * Sequelize cannot stream. It is bounded by `max` and its own timeouts; close it with `end()`.
 *
 * @example
 * const pool = batchPool(db.sequelize, { max: 2, statementTimeoutMs: 30_000, connectTimeoutMs: 10_000 });
 * await pool.end();
 */
export function batchPool(sequelize: Sequelize, options: BatchPoolOptions): pg.Pool {
  const config = sequelize.config;
  // Sequelize keeps the driver options it was given (ssl, timeouts) on its options; the typings do not show them.
  const dialectOptions = ((sequelize as unknown as { options?: { dialectOptions?: Record<string, unknown> } }).options?.dialectOptions ?? {});
  const pool = new pg.Pool({
    ...dialectOptions,
    host: config.host,
    port: config.port === undefined ? undefined : Number(config.port),
    database: config.database,
    user: config.username,
    password: config.password ?? undefined,
    max: options.max,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 5_000,
    application_name: 'plugboard-batching',
  });
  // An idle client whose server went away: the pool drops it; the next flush opens a new one.
  pool.on('error', () => undefined);
  return pool;
}
