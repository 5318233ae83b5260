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

/**
 * Runs `work` on a client of `pool` and gives it back. A checked-out client whose connection
 * fails emits 'error', which would crash the process without a listener; this one keeps it, and
 * such a client (or one whose work failed with a lost connection) is destroyed, not pooled again.
 *
 * @example
 * const n = await withClient(pool, async (client) => (await client.query('SELECT 1 AS n')).rows[0].n);
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, isLost: (err: unknown) => boolean): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken ??= err);
  client.on('error', onError);
  try {
    return await work(client);
  } catch (err) {
    if (isLost(err)) broken ??= err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
