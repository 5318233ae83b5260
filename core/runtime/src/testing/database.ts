/**
 * A fresh, empty PostgreSQL database per call, for integration tests.
 *
 * With `TEST_DATABASE_URL` (CI points it at the machine's server) each call creates a database
 * on that server. Without it, each test worker process starts one embedded PostgreSQL in a
 * temporary folder, shared by the calls of that process and stopped (its folder removed) when
 * the last database is closed. Vitest runs test files in parallel processes: every name made
 * here is random, so nothing collides.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import type { DatabaseService } from '@plugboard/plugin-api';
import { connectToUrl } from '../database/connect.js';
import { withDatabase } from '../database/displayUrl.js';
import { startEmbeddedServer, type EmbeddedServer } from '../database/embeddedServer.js';
import { ensureStatStatements } from '../database/extensions.js';

export interface TestDatabase extends DatabaseService {
  /** URL of this test's database (with the password, for tools that need to connect). */
  readonly url: string;
  /** Closes the pool and drops the database. */
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Defaults to a silent logger. */
  logger?: Logger;
}

/**
 * Creates an empty database (with `pg_stat_statements` when the server has it) for one test.
 *
 * @example
 * let db: TestDatabase;
 * beforeAll(async () => { db = await createTestDatabase(); });
 * afterAll(() => db.close());
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const { adminUrl, server } = await adminTarget(logger);
  try {
    const name = `plugboard_test_${process.pid}_${randomBytes(6).toString('hex')}`;
    await admin(adminUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
    const url = withDatabase(adminUrl, name);
    const db = await connectToUrl(url, {
      logger,
      embedded: server !== undefined,
      onClose: async () => {
        try {
          await dropDatabase(adminUrl, name);
        } finally {
          if (server) await releaseEmbedded();
        }
      },
    }).catch(async (err: unknown) => {
      await dropDatabase(adminUrl, name).catch(() => undefined);
      throw err;
    });
    await ensureStatStatements(db.sequelize, logger);
    return { ...db, url };
  } catch (err) {
    if (server) await releaseEmbedded();
    throw err;
  }
}

/** Where test databases are made: TEST_DATABASE_URL's server, or this process's embedded one. */
async function adminTarget(logger: Logger): Promise<{ adminUrl: string; server?: EmbeddedServer }> {
  const fromEnv = process.env['TEST_DATABASE_URL'];
  if (fromEnv) return { adminUrl: fromEnv };
  const server = await acquireEmbedded(logger);
  return { adminUrl: server.url('postgres'), server };
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await admin(adminUrl, async (client) => {
    const version = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    // WITH (FORCE) (PostgreSQL 13+) ends sessions a test left open, such as a pool not closed.
    const force = Number(version.rows[0]?.server_version_num) >= 130000 ? ' WITH (FORCE)' : '';
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)}${force}`);
  });
}

/** The embedded server of this process, and how many test databases use it. */
let shared: { server: Promise<EmbeddedServer>; users: number; root: string } | undefined;

async function acquireEmbedded(logger: Logger): Promise<EmbeddedServer> {
  if (!shared) {
    // Claimed before the first await, so concurrent callers share this one server.
    const root = join(tmpdir(), `plugboard-test-pg-${process.pid}-${randomBytes(6).toString('hex')}`);
    const server = (async () => {
      await mkdir(root);
      // As root, PostgreSQL runs as 'postgres' and must pass through the folder.
      await chmod(root, 0o711);
      return startEmbeddedServer({ dataDir: join(root, 'data'), logger });
    })();
    shared = { server, users: 0, root };
    // Awaited below by every caller; this only keeps an early failure from being unhandled.
    void server.catch(() => undefined);
  }
  const current = shared;
  current.users += 1;
  try {
    return await current.server;
  } catch (err) {
    if (shared === current) shared = undefined;
    await rm(current.root, { recursive: true, force: true });
    throw err;
  }
}

async function releaseEmbedded(): Promise<void> {
  const current = shared;
  if (!current) return;
  current.users -= 1;
  if (current.users > 0) return;
  shared = undefined;
  await (await current.server).stop();
  await rm(current.root, { recursive: true, force: true });
}
