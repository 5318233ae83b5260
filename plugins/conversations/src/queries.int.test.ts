import { createTestDatabase, type TestDatabase } from '@plugboard/core/testing';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrations } from './migrations/index.js';
import { queries } from './queries.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  for (const m of migrations) await m.up({ sequelize: db.sequelize });
});
afterAll(() => db?.close());

it.each(Object.values(queries))('$name runs with its sample parameters and can be explained', async (q) => {
  expect(q.params).toHaveLength(q.sample().length);
  expect(q.sql.match(/\$\d+/g)?.map((p) => Number(p.slice(1))).sort((x, y) => x - y).at(-1)).toBe(q.params.length);
  await db.sequelize.query(q.sql, { type: QueryTypes.SELECT, bind: q.sample() });
  const plan = await db.sequelize.query(`EXPLAIN ${q.sql}`, { type: QueryTypes.SELECT, bind: q.sample() });
  expect(plan.length).toBeGreaterThan(0);
});

it('names nine queries for the eight indexes', () => {
  expect(Object.keys(queries)).toEqual([
    'userConversations',
    'conversationsByStatus',
    'modelAnalytics',
    'allModelAnalytics',
    'userTokenTotals',
    'activePremiumUsers',
    'recentlyActiveUsers',
    'dailyCounts',
    'blockedUsers',
  ]);
});
