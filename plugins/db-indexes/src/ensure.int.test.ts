import { createTestDatabase, startTestKernel, type TestDatabase } from '@plugboard/core/testing';
import conversations from '@plugboard/plugin-conversations';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbIndexesOpsRef, dbIndexesRef, type DbReport } from './contract.js';
import { EIGHT_INDEXES } from './declarations.js';
import dbIndexes from './plugin.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

describe('db-indexes on start', () => {
  it('creates the eight indexes, valid, and answers GET /api/db/report', async () => {
    const app = await startTestKernel({ plugins: [conversations, dbIndexes], database: db });
    try {
      const report = (await (await app.fetch('/api/db/report')).json()) as DbReport;
      expect(report.indexes.map((s) => [s.declaration.name, s.state])).toEqual(EIGHT_INDEXES.map((d) => [d.name, 'valid']));
      const found = await db.sequelize.query<{ name: string; valid: boolean }>(
        `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ANY($1)`,
        { bind: [EIGHT_INDEXES.map((d) => d.name)], type: QueryTypes.SELECT },
      );
      expect(found).toHaveLength(8);
      expect(found.every((f) => f.valid)).toBe(true);
      expect(app.get(dbIndexesRef).lastReport()?.generatedAt).toBe(report.generatedAt);
      expect(report.queries?.map((q) => q.name)).toContain('userConversations');
      expect(report.queries?.every((q) => q.error === undefined)).toBe(true);
      // A second ensure builds nothing.
      const again = await app.get(dbIndexesOpsRef).ensure({ includeLarge: true, wait: true });
      expect(again.built).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});
