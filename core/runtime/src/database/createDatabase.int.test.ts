import { pino } from 'pino';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { PlugboardError } from '@plugboard/plugin-api';
import { createDatabase } from './createDatabase.js';
import { withDatabase } from './displayUrl.js';

const logger = pino({ level: 'silent' });
let target: TestDatabase;

beforeAll(async () => {
  target = await createTestDatabase();
});

afterAll(async () => {
  await target.close();
});

describe('createDatabase with a url', () => {
  it('connects, creates pg_stat_statements and closes', async () => {
    const db = await createDatabase({ url: target.url, dataDir: '/unused', logger });
    try {
      expect(db.embedded).toBe(false);
      await db.ping();
      const ext = await db.sequelize.query<{ extname: string }>("SELECT extname FROM pg_extension WHERE extname = 'pg_stat_statements'", {
        type: QueryTypes.SELECT,
      });
      expect(ext).toEqual([{ extname: 'pg_stat_statements' }]);
    } finally {
      await db.close();
    }
  });

  it('reports a database that does not exist with the server message', async () => {
    const url = withDatabase(target.url, 'plugboard_missing_db');
    const error = await createDatabase({ url, dataDir: '/unused', logger }).catch((err: unknown) => err);
    expect(PlugboardError.is(error, 'invalidState')).toBe(true);
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    expect((error as Error).message).toBe(
      `Cannot connect to PostgreSQL at '${shown.toString()}': database "plugboard_missing_db" does not exist. Check DATABASE_URL (or database.url in the config).`,
    );
  });
});
