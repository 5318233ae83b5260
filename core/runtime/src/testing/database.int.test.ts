import pg from 'pg';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../database/displayUrl.js';
import { createTestDatabase, type TestDatabase } from './database.js';

// Runs in the mode the environment gives: on TEST_DATABASE_URL's server when set, else on this
// worker's embedded server. Both must behave the same.

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return found.rowCount === 1;
  } finally {
    await client.end();
  }
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

// Held for the whole file, so the embedded server (if any) outlives the databases under test.
let anchor: TestDatabase;
let adminUrl: string;

beforeAll(async () => {
  anchor = await createTestDatabase();
  adminUrl = process.env['TEST_DATABASE_URL'] ?? withDatabase(anchor.url, 'postgres');
});

afterAll(async () => {
  await anchor.close();
});

describe('createTestDatabase', () => {
  it('gives each call its own empty database', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(databaseName(a.url)).toMatch(/^plugboard_test_\d+_[0-9a-f]{12}$/);
      expect(databaseName(a.url)).not.toBe(databaseName(b.url));
      expect(a.embedded).toBe(process.env['TEST_DATABASE_URL'] === undefined);
      await a.sequelize.query('CREATE TABLE only_in_a (id int)');
      const inB = await b.sequelize.query("SELECT 1 FROM pg_tables WHERE tablename = 'only_in_a'", { type: QueryTypes.SELECT });
      expect(inB).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('creates pg_stat_statements when the server has it preloaded', async () => {
    const db = await createTestDatabase();
    try {
      const ext = await db.sequelize.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'", { type: QueryTypes.SELECT });
      const [preload] = await db.sequelize.query<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries', { type: QueryTypes.SELECT });
      if (preload?.shared_preload_libraries.includes('pg_stat_statements')) {
        expect(ext).toHaveLength(1);
        await db.sequelize.query('SELECT count(*) FROM pg_stat_statements');
      }
    } finally {
      await db.close();
    }
  });

  it('drops the database on close, even with sessions left open', async () => {
    const db = await createTestDatabase();
    const name = databaseName(db.url);
    const straggler = new pg.Client({ connectionString: db.url });
    await straggler.connect();
    straggler.on('error', () => undefined); // DROP ... WITH (FORCE) ends its session
    expect(await databaseExists(adminUrl, name)).toBe(true);
    await db.close();
    expect(await databaseExists(adminUrl, name)).toBe(false);
    await straggler.end().catch(() => undefined);
  });

  it('hands out a url that other clients can use', async () => {
    const db = await createTestDatabase();
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const result = await client.query<{ db: string }>('SELECT current_database() AS db');
      await client.end();
      expect(result.rows[0]?.db).toBe(databaseName(db.url));
      expect(db.displayUrl).not.toContain(new URL(db.url).password || '\u0000');
    } finally {
      await db.close();
    }
  });
});
