import pg from 'pg';
import type { Logger } from 'pino';
import { Sequelize } from 'sequelize';
import { PlugboardError } from '@plugboard/plugin-api';
import type { DatabaseService } from '@plugboard/plugin-api';
import { DatabaseOutage } from './DatabaseOutage.js';
import { maskUrl } from './displayUrl.js';
import { driverMessage } from './unavailable.js';

/** A {@link DatabaseService} its owner can close: the app host, the CLI, the test harness. */
export interface DatabaseHandle extends DatabaseService {
  /** Logs outages once each; the HTTP error handler reports every "database unavailable" error to it. */
  readonly outage: DatabaseOutage;
  /** Closes the connection pool (and stops the embedded server, if this handle started one). */
  close(): Promise<void>;
}

/** How long the database may make a caller wait. Every field unset keeps the driver's default: no limit. */
export interface DatabaseLimits {
  /**
   * Longest a statement may run, set as the session's `statement_timeout`, so the server cancels
   * it (57014). A frozen server cancels nothing, so the client also gives up
   * {@link QUERY_TIMEOUT_GRACE_MS} later (`query_timeout`) and drops that connection.
   */
  statementTimeoutMs?: number;
  /** Longest wait for a connection of the pool, including opening a new one. Default 30 s. */
  acquireTimeoutMs?: number;
  /** Most connections in the pool. Default 10. */
  poolMax?: number;
}

export interface ConnectOptions {
  logger: Logger;
  /** Recorded as {@link DatabaseService.embedded}. */
  embedded?: boolean;
  /** Runs after the pool is closed, from {@link DatabaseHandle.close}. */
  onClose?: () => Promise<void>;
  limits?: DatabaseLimits;
}

/**
 * How much longer than `statement_timeout` the client waits before it gives up on its own: the
 * server's cancel normally comes first, with a clear error and the connection kept.
 */
export const QUERY_TIMEOUT_GRACE_MS = 1000;

/**
 * Connections of the pool {@link DatabaseService.withoutTimeout} runs on. A migration run holds
 * two (its lock and its statements); a background index build holds one for hours; one is left
 * for an analysis or a what-if meanwhile.
 */
export const UNBOUNDED_POOL_MAX = 4;
/** How long work without a timeout waits for a free connection of that pool. */
export const UNBOUNDED_ACQUIRE_MS = 60_000;

/**
 * Marks a pool connection unusable as soon as the server sends it a FATAL error (its session was
 * ended: `pg_terminate_backend`, an idle-session timeout, a server shutting down). The statement
 * running then fails with that error, and Sequelize puts the connection back in the pool at once;
 * pg only learns that the socket closed a moment later, so without this the next statement could
 * be handed the dead connection and fail too ("Connection terminated unexpectedly"). `_invalid`
 * is the flag Sequelize's own pool check reads (it sets it on a socket error).
 */
function retireOnFatal(connection: unknown): void {
  const client = connection as { _invalid?: boolean; connection?: { on?(event: string, listener: (msg: { severity?: string }) => void): unknown } };
  client.connection?.on?.('errorMessage', (msg) => {
    if (msg.severity === 'FATAL' || msg.severity === 'PANIC') client._invalid = true;
  });
}

/**
 * Opens a Sequelize pool on `url` and checks that the server answers. SQL is logged at `trace`
 * only: building the log line for every query costs more than the query on a busy instance.
 *
 * @example
 * const db = await connectToUrl(process.env.DATABASE_URL!, { logger });
 * await db.sequelize.query('SELECT now()');
 * await db.close();
 */
export async function connectToUrl(url: string, options: ConnectOptions): Promise<DatabaseHandle> {
  const { logger } = options;
  const displayUrl = maskUrl(url);
  assertPostgresUrl(url, displayUrl);
  const limits = options.limits ?? {};
  const open = (bounded: boolean, poolMax: number): Sequelize => {
    const sequelize = new Sequelize(url, {
      dialect: 'postgres',
      dialectModule: pg,
      logging: logger.isLevelEnabled('trace') ? (sql: string) => logger.trace({ sql }, 'SQL') : false,
      // Work without a timeout (migrations, index builds) may wait its turn for a connection for
      // a while; opening one is still bounded by connectionTimeoutMillis.
      pool: { max: poolMax, min: 0, idle: 10_000, acquire: bounded ? (limits.acquireTimeoutMs ?? 30_000) : UNBOUNDED_ACQUIRE_MS },
      dialectOptions: bounded ? boundedDialectOptions(limits) : unboundedDialectOptions(limits),
    });
    sequelize.addHook('afterConnect', 'plugboard-fatal-ends-connection', retireOnFatal as never);
    return sequelize;
  };
  const sequelize = open(true, limits.poolMax ?? 10);
  const ping = async (): Promise<void> => {
    await sequelize.query('SELECT 1');
  };
  // Opened on first use: most processes never run unbounded work.
  let unbounded: Sequelize | undefined;
  try {
    await ping();
  } catch (err) {
    await sequelize.close().catch(() => undefined);
    throw new PlugboardError(
      'invalidState',
      `Cannot connect to PostgreSQL at '${displayUrl}': ${driverMessage(err)}. Check DATABASE_URL (or database.url in the config).`,
      { cause: err },
    );
  }

  const outage = new DatabaseOutage({ logger, ping });
  let closing: Promise<void> | undefined;
  return {
    sequelize,
    displayUrl,
    embedded: options.embedded ?? false,
    ping,
    outage,
    withoutTimeout(work) {
      unbounded ??= open(false, UNBOUNDED_POOL_MAX);
      return work(unbounded);
    },
    close() {
      closing ??= (async () => {
        outage.close();
        try {
          await Promise.all([sequelize.close(), unbounded?.close()]);
        } finally {
          await options.onClose?.();
        }
      })();
      return closing;
    },
  };
}

function assertPostgresUrl(url: string, displayUrl: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new PlugboardError(
      'configInvalid',
      `The database URL '${displayUrl}' is not a PostgreSQL URL. Set DATABASE_URL (or database.url in the config) to postgres://user:password@host:5432/database.`,
    );
  }
}

/** node-postgres client options that bound every wait on the main pool. */
function boundedDialectOptions(limits: DatabaseLimits): Record<string, number> {
  const options: Record<string, number> = {};
  if (limits.statementTimeoutMs !== undefined) {
    options['statement_timeout'] = limits.statementTimeoutMs;
    options['query_timeout'] = limits.statementTimeoutMs + QUERY_TIMEOUT_GRACE_MS;
  }
  // Opening a connection to a frozen server: the TCP handshake succeeds, the startup never answers.
  if (limits.acquireTimeoutMs !== undefined) options['connectionTimeoutMillis'] = limits.acquireTimeoutMs;
  return options;
}

/** For {@link DatabaseService.withoutTimeout}: statements run as long as they need; connecting is still bounded. */
function unboundedDialectOptions(limits: DatabaseLimits): Record<string, number> {
  return limits.acquireTimeoutMs === undefined ? {} : { connectionTimeoutMillis: limits.acquireTimeoutMs };
}
