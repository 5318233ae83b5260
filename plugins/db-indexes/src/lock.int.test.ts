import { metrics } from '@opentelemetry/api';
import type { DatabaseService } from '@plugboard/plugin-api';
import { createTestDatabase, startTestKernel, type TestDatabase } from '@plugboard/core/testing';
import conversations, { seed } from '@plugboard/plugin-conversations';
import { pino } from 'pino';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from './config.js';
import { DbIndexes } from './DbIndexes.js';
import { EIGHT_INDEXES } from './declarations.js';
import { eventually } from './testSupport.js';

/**
 * Two instances on two connection pools of one database, ensuring at the same moment: while the
 * first holds the advisory lock (its first build held up by an open writer), the second waits,
 * and afterwards finds nothing left to build.
 */
let db: TestDatabase;
let second: Sequelize;
beforeAll(async () => {
  db = await createTestDatabase();
  const app = await startTestKernel({ plugins: [conversations], database: db });
  await app.stop();
  await seed({ sequelize: db.sequelize, users: 100, conversations: 2_000, seed: 8 });
  second = new Sequelize(db.url, { dialect: 'postgres', logging: false, pool: { max: 4 } });
});
afterAll(async () => {
  await second.close();
  await db.close();
});

function instance(database: DatabaseService): DbIndexes {
  return new DbIndexes({ database, config: configSchema.parse({ progressEvery: '100ms' }), logger: pino({ level: 'silent' }), meter: metrics.getMeter('test') });
}

describe('the advisory lock', () => {
  it('lets one instance build while the other waits, so each index is built once', async () => {
    const a = instance(db);
    const b = instance({ ...db, sequelize: second, withoutTimeout: (work) => work(second) });
    const writer = await db.sequelize.transaction();
    await db.sequelize.query('UPDATE conversations SET ai_response = ai_response WHERE id = (SELECT id FROM conversations LIMIT 1)', { transaction: writer });
    const first = a.ensure({ includeLarge: true, wait: true });
    await eventually(async () => (a.ensurer.running().length > 0 ? true : undefined), 400);
    const waiting = b.ensure({ includeLarge: true, wait: true });
    expect(await b.ensure({ includeLarge: true, wait: false })).toMatchObject({ lock: 'busy', built: [] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.ensurer.running()).toEqual([]);
    await writer.rollback();
    const [ra, rb] = await Promise.all([first, waiting]);
    expect(ra.built.map((x) => x.index)).toEqual(EIGHT_INDEXES.map((d) => d.name));
    expect(rb).toMatchObject({ lock: 'acquired', built: [] });
    expect(rb.indexes.every((s) => s.state === 'valid')).toBe(true);
  });
});
