import pg from 'pg';
import type { Logger } from 'pino';
import { Sequelize } from 'sequelize';
import { PlugboardError } from '@plugboard/plugin-api';
import type { DatabaseService } from '@plugboard/plugin-api';
import { maskUrl } from './displayUrl.js';

/** A {@link DatabaseService} its owner can close: the app host, the CLI, the test harness. */
export interface DatabaseHandle extends DatabaseService {
  /** Closes the connection pool (and stops the embedded server, if this handle started one). */
  close(): Promise<void>;
}

export interface ConnectOptions {
  logger: Logger;
  /** Recorded as {@link DatabaseService.embedded}. */
  embedded?: boolean;
  /** Runs after the pool is closed, from {@link DatabaseHandle.close}. */
  onClose?: () => Promise<void>;
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
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    dialectModule: pg,
    logging: logger.isLevelEnabled('trace') ? (sql: string) => logger.trace({ sql }, 'SQL') : false,
    pool: { max: 10, min: 0, idle: 10_000, acquire: 30_000 },
  });
  const ping = async (): Promise<void> => {
    await sequelize.query('SELECT 1');
  };
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

  let closing: Promise<void> | undefined;
  return {
    sequelize,
    displayUrl,
    embedded: options.embedded ?? false,
    ping,
    close() {
      closing ??= (async () => {
        try {
          await sequelize.close();
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

/**
 * The driver's own words, without a trailing full stop (the sentence around it adds one). When
 * a host name resolves to several addresses, node reports an AggregateError with an empty
 * message; its parts say what happened.
 */
function driverMessage(err: unknown): string {
  const original = (err as { original?: unknown } | undefined)?.original ?? err;
  let message = original instanceof Error ? original.message : String(original);
  if (message === '' && original instanceof AggregateError) {
    message = original.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
  }
  return message.trim().replace(/\.$/, '') || 'no message from the driver';
}
