import { isAbsolute } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import { connectToUrl, type DatabaseHandle as ConnectedDatabase, type DatabaseLimits } from './connect.js';
import { startEmbeddedServer } from './embeddedServer.js';
import { ensureStatStatements } from './extensions.js';

export interface DatabaseHandle extends ConnectedDatabase {
  /** The embedded server's data folder, where it really is (see placeDataDir); unset with a URL. */
  readonly dataDir?: string;
}

export interface CreateDatabaseOptions {
  /** A PostgreSQL URL (`DATABASE_URL`). Without it, an embedded server is started. */
  url?: string;
  /** Absolute folder of the embedded server's data, kept between runs. Unused with `url`. */
  dataDir: string;
  logger: Logger;
  /** Port of the embedded server; by default a free one. */
  embeddedPort?: number;
  /** Statement and pool timeouts (`database.statementTimeout`, `acquireTimeout`, `pool.max`). */
  limits?: DatabaseLimits;
}

/** The database the app uses on the embedded server. */
export const EMBEDDED_DATABASE = 'plugboard';

/**
 * Provides `core.database`: a Sequelize pool on `url`, or on an embedded PostgreSQL whose data
 * lives in `dataDir` when no URL is given. Either way `pg_stat_statements` is created when the
 * server allows it.
 *
 * @example
 * const db = await createDatabase({ url: process.env.DATABASE_URL, dataDir: resolve('.plugboard/postgres'), logger });
 * try { await db.sequelize.query('SELECT 1'); } finally { await db.close(); }
 */
export async function createDatabase(options: CreateDatabaseOptions): Promise<DatabaseHandle> {
  const { logger } = options;
  if (options.url !== undefined && options.url !== '') {
    const db = await connectToUrl(options.url, { logger, ...(options.limits ? { limits: options.limits } : {}) });
    await ensureStatStatements(db.sequelize, logger);
    logger.info({ url: db.displayUrl }, 'Connected to PostgreSQL.');
    return db;
  }
  if (!isAbsolute(options.dataDir)) {
    throw new PlugboardError('invalidArgument', `The embedded PostgreSQL data folder '${options.dataDir}' is not an absolute path. Resolve it before calling createDatabase.`);
  }

  const server = await startEmbeddedServer({
    dataDir: options.dataDir,
    logger,
    ...(options.embeddedPort === undefined ? {} : { port: options.embeddedPort }),
  });
  try {
    await createDatabaseIfMissing(server.url('postgres'), EMBEDDED_DATABASE);
    const db = await connectToUrl(server.url(EMBEDDED_DATABASE), {
      logger,
      embedded: true,
      onClose: () => server.stop(),
      ...(options.limits ? { limits: options.limits } : {}),
    });
    await ensureStatStatements(db.sequelize, logger);
    logger.info(
      { dataDir: server.dataDir, port: server.port, url: db.displayUrl },
      `Embedded PostgreSQL keeps its data in '${server.dataDir}'; set DATABASE_URL=postgres://... to use your own PostgreSQL.`,
    );
    return { ...db, dataDir: server.dataDir };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/**
 * Creates database `name` unless it exists. `CREATE DATABASE` has no `IF NOT EXISTS`, and two
 * processes may race here, so a duplicate error from the loser counts as success.
 */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`).catch((err: unknown) => {
      // 42P04: duplicate_database; 23505: the catalog's unique index saw the race first.
      const code = (err as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw err;
    });
  } finally {
    await client.end();
  }
}
