/**
 * Plugins built, installed, tested and run outside the repository (scripts/outside-test.mjs):
 * the scaffold's `plugboard new plugin demo`, and a copy of examples/writer-log.
 */
import { createTestDatabase, type TestDatabase } from '@plugboard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ES module script without type declarations
import { exampleOutside, prepareOutside, REPO_ROOT, scaffoldOutside } from './outside-test.mjs';

interface Outside {
  root: string;
  remove(): Promise<void>;
}

let outside: Outside;
let db: TestDatabase;

beforeAll(async () => {
  outside = (await prepareOutside()) as Outside;
  db = await createTestDatabase();
}, 120_000);
afterAll(async () => {
  await db?.close();
  await outside?.remove();
});

/** vitest's summary, without its colours. */
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

const urls = () => ({ databaseUrl: db.url, testDatabaseUrl: process.env['TEST_DATABASE_URL'] });

describe('outside the repository', () => {
  it('works in a folder under the system temporary folder, not in the repository', () => {
    expect(outside.root.startsWith(REPO_ROOT as string)).toBe(false);
  });

  it('plugboard new plugin demo: installs from the tarballs, typechecks, its test passes, and its plugboard.yaml serves it', async () => {
    const result = (await scaffoldOutside(outside, urls())) as { created: string; typechecked: string; tested: string; status: number; body: unknown };
    expect(result.created).toContain('Created the plugin package in');
    expect(result.typechecked).not.toMatch(/error TS/);
    expect(plain(result.tested)).toMatch(/Tests\s+2 passed \(2\)/);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ message: 'hello, ann' });
  }, 300_000);

  it('examples/writer-log: installs from the tarballs, its tests pass, and a real server logs a stored conversation', async () => {
    const result = (await exampleOutside(outside, urls())) as { tested: string; id: string; status: number; logged: string[] };
    expect(plain(result.tested)).toMatch(/Tests\s+3 passed \(3\)/);
    expect(result.status).toBe(201);
    expect(result.logged).toEqual([result.id]);
  }, 300_000);
});
