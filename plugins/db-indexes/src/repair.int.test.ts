import { createTestDatabase, startTestKernel, type TestDatabase } from '@plugboard/core/testing';
import conversations, { seed } from '@plugboard/plugin-conversations';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dbIndexesOpsRef, dbIndexesRef, type BuildProgress } from './contract.js';
import dbIndexes from './plugin.js';
import { capturingLogger, contributor, eventually, indexValidity } from './testSupport.js';

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
  const app = await startTestKernel({ plugins: [conversations], database: db });
  await app.stop();
});
afterEach(() => db.close());

describe('a concurrent build broken on purpose', () => {
  it('leaves an INVALID index that the report finds and ensure repairs', async () => {
    await seed({ sequelize: db.sequelize, users: 20, conversations: 300, seed: 2 });
    const unique = contributor('extra', [{ name: 'conversations_one_per_user', table: 'conversations', columns: ['user_id'], unique: true, serves: 'onePerUser' }]);
    const app = await startTestKernel({ plugins: [conversations, unique, dbIndexes], database: db });
    try {
      const ops = app.get(dbIndexesOpsRef);
      // 'extra' starts after db-indexes (it consumes its ref), so its index is built on the next ensure.
      const first = await ops.ensure({ includeLarge: true, wait: true });
      const failed = first.built.find((b) => b.index === 'conversations_one_per_user');
      expect(failed?.outcome).toBe('failed');
      expect(failed?.error).toMatch(/could not create unique index/);
      expect(await indexValidity(db.sequelize, ['conversations_one_per_user'])).toEqual({ conversations_one_per_user: false });

      const report = await app.get(dbIndexesRef).report({ analyzeQueries: false });
      expect(report.indexes.find((s) => s.declaration.name === 'conversations_one_per_user')?.state).toBe('invalid');
      const finding = report.findings.find((f) => f.kind === 'invalid-index');
      expect(finding?.subject).toBe('conversations_one_per_user');
      expect(finding?.advice).toContain('plugboard db ensure-indexes');

      await db.sequelize.query('DELETE FROM conversations c USING conversations d WHERE c.user_id = d.user_id AND c.id > d.id');
      const repaired = await ops.ensure({ includeLarge: true, wait: true });
      expect(repaired.built.map((b) => [b.index, b.outcome])).toEqual([['conversations_one_per_user', 'rebuilt']]);
      expect(await indexValidity(db.sequelize, ['conversations_one_per_user'])).toEqual({ conversations_one_per_user: true });
      const after = await app.get(dbIndexesRef).report({ analyzeQueries: false });
      expect(after.findings.filter((f) => f.kind === 'invalid-index')).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});

describe('a build on a large table', () => {
  it('runs in the background after start, with its progress in the log and the API', async () => {
    await seed({ sequelize: db.sequelize, users: 50, conversations: 5_000, seed: 4 });
    await db.sequelize.query('ANALYZE conversations');
    // A writer that stays open: the concurrent build waits for it, so its progress can be seen.
    const writer = await db.sequelize.transaction();
    await db.sequelize.query('UPDATE conversations SET ai_response = ai_response WHERE id = (SELECT id FROM conversations LIMIT 1)', { transaction: writer });
    const { logger, lines } = capturingLogger();
    const app = await startTestKernel({
      plugins: [conversations, dbIndexes],
      database: db,
      logger,
      config: { 'db-indexes': { largeTableRows: 1_000, progressEvery: '100ms' } },
    });
    let open = true;
    try {
      // Started: the users indexes were built in the start-up path, the conversations ones not yet.
      const validity = await indexValidity(db.sequelize, ['users_blocked', 'conversations_user_created']);
      expect(validity['users_blocked']).toBe(true);
      expect(validity['conversations_user_created']).not.toBe(true);

      const seen = await eventually(async () => {
        const builds = (await (await app.fetch('/api/db/builds')).json()) as { builds: BuildProgress[] };
        return builds.builds.find((b) => b.index === 'conversations_user_created');
      }, 600);
      expect(seen.phase).toMatch(/waiting for writers/);
      const report = await app.get(dbIndexesRef).report({ analyzeQueries: false });
      expect(report.indexes.find((s) => s.declaration.name === 'conversations_user_created')?.state).toBe('building');
      expect(report.builds.map((b) => b.index)).toContain('conversations_user_created');
      await eventually(async () => (lines.some((l) => l.includes('building index conversations_user_created: waiting for writers')) ? true : undefined), 600);

      await writer.rollback();
      open = false;
      const ops = app.get(dbIndexesOpsRef);
      await eventually(async () => ((await ops.progress()).history.length === 8 ? true : undefined), 1200);
      expect((await ops.progress()).history.every((b) => b.outcome === 'created')).toBe(true);
    } finally {
      if (open) await writer.rollback();
      await app.stop();
    }
  });
});
