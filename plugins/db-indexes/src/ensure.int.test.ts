import { createTestDatabase, startTestKernel, type TestDatabase } from '@plugboard/core/testing';
import conversations from '@plugboard/plugin-conversations';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dbIndexesOpsRef, dbIndexesRef, type DbReport } from './contract.js';
import { EIGHT_INDEXES } from './declarations.js';
import dbIndexes from './plugin.js';
import { contributor, indexValidity } from './testSupport.js';

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(() => db.close());
const names = EIGHT_INDEXES.map((d) => d.name);

describe('ensure', () => {
  it('creates the eight indexes, valid, on start and answers GET /api/db/report', async () => {
    const app = await startTestKernel({ plugins: [conversations, dbIndexes], database: db });
    try {
      const report = (await (await app.fetch('/api/db/report')).json()) as DbReport;
      expect(report.indexes.map((s) => [s.declaration.name, s.state])).toEqual(names.map((n) => [n, 'valid']));
      expect(await indexValidity(db.sequelize, names)).toEqual(Object.fromEntries(names.map((n) => [n, true])));
      expect(app.get(dbIndexesRef).lastReport()?.generatedAt).toBe(report.generatedAt);
      expect(report.queries?.map((q) => q.name)).toContain('userConversations');
      expect(report.queries?.every((q) => q.error === undefined)).toBe(true);
      const again = await app.get(dbIndexesOpsRef).ensure({ includeLarge: true, wait: true });
      expect(again.built).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it('with ensure: manual builds nothing on start, and everything when asked', async () => {
    const app = await startTestKernel({ plugins: [conversations, dbIndexes], database: db, config: { 'db-indexes': { ensure: 'manual' } } });
    try {
      expect(await indexValidity(db.sequelize, names)).toEqual({});
      const result = await app.get(dbIndexesOpsRef).ensure({ includeLarge: true, wait: true });
      expect(result.built.map((b) => [b.index, b.outcome])).toEqual(names.map((n) => [n, 'created']));
    } finally {
      await app.stop();
    }
  });

  it("reports an index of a declared name with another definition as 'different' and leaves it", async () => {
    const app = await startTestKernel({ plugins: [conversations, dbIndexes], database: db, config: { 'db-indexes': { ensure: 'manual' } } });
    try {
      await db.sequelize.query('CREATE INDEX users_blocked ON users (username)');
      const result = await app.get(dbIndexesOpsRef).ensure({ includeLarge: true, wait: true });
      expect(result.different).toEqual(['users_blocked']);
      expect(result.built.map((b) => b.index)).not.toContain('users_blocked');
      const report = await app.get(dbIndexesRef).report();
      const status = report.indexes.find((s) => s.declaration.name === 'users_blocked');
      expect(status?.state).toBe('different');
      expect(status?.found).toContain('(username)');
      expect(report.findings.find((f) => f.kind === 'index-definition-differs')?.subject).toBe('users_blocked');
    } finally {
      await app.stop();
    }
  });

  it('sees the same index written another way as the same (normalised by PostgreSQL)', async () => {
    const app = await startTestKernel({ plugins: [conversations, dbIndexes], database: db, config: { 'db-indexes': { ensure: 'manual' } } });
    try {
      await db.sequelize.query('CREATE INDEX users_active_premium ON public.users USING btree (premium_until ASC) INCLUDE (id) WHERE is_premium AND NOT is_blocked');
      const report = await app.get(dbIndexesRef).report({ analyzeQueries: false });
      expect(report.indexes.find((s) => s.declaration.name === 'users_active_premium')?.state).toBe('valid');
    } finally {
      await app.stop();
    }
  });

  it('takes declarations from a plugin started before db-indexes was enabled', async () => {
    const extra = contributor('extra', [{ name: 'users_username', table: 'users', columns: ['username'], serves: 'byUsername' }]);
    const app = await startTestKernel({
      plugins: [conversations, extra, dbIndexes],
      database: db,
      config: { 'db-indexes': { enabled: false } },
    });
    try {
      await app.kernel.enable('db-indexes');
      const ops = app.get(dbIndexesOpsRef);
      expect(ops.declarations().find((d) => d.name === 'users_username')?.owner).toBe('extra');
      expect(await indexValidity(db.sequelize, ['users_username'])).toEqual({ users_username: true });
      await app.kernel.disable('extra');
      expect(ops.declarations().map((d) => d.name)).not.toContain('users_username');
    } finally {
      await app.stop();
    }
  });
});
