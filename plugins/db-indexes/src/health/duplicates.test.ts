import { describe, expect, it } from 'vitest';
import { findDuplicates, type IndexShapeRow } from './duplicates.js';

const index = (name: string, columns: number[], extra: Partial<IndexShapeRow> = {}): IndexShapeRow => ({
  name, table: 't', method: 'btree', columns, keyColumns: columns.length, options: columns.map(() => 0), opclasses: columns.map(() => 1),
  expressions: null, predicate: null, unique: false, primary: false, ...extra,
});
const pairs = (rows: IndexShapeRow[]) => findDuplicates(rows).map((p) => [p.duplicate.name, p.coveredBy.name]);

describe('findDuplicates', () => {
  it('finds a prefix of another index', () => {
    expect(pairs([index('a', [1]), index('ab', [1, 2])])).toEqual([['a', 'ab']]);
  });
  it('reports identical indexes once', () => {
    expect(pairs([index('x', [1, 2]), index('y', [1, 2])])).toEqual([['y', 'x']]);
  });
  it('keeps an index whose INCLUDE columns the other lacks (index-only scans)', () => {
    expect(pairs([index('tokens', [1, 3], { keyColumns: 1 }), index('created', [1, 2])])).toEqual([]);
  });
  it('keeps indexes with another order, predicate, expression, method or table', () => {
    const base = index('ab', [1, 2]);
    expect(pairs([index('a', [1], { options: [3] }), base])).toEqual([]);
    expect(pairs([index('a', [1], { predicate: 'blocked' }), base])).toEqual([]);
    expect(pairs([index('a', [0], { expressions: 'lower(x)' }), base])).toEqual([]);
    expect(pairs([index('a', [1], { method: 'hash' }), base])).toEqual([]);
    expect(pairs([index('a', [1], { table: 'u' }), base])).toEqual([]);
  });
  it('keeps a unique index and the primary key', () => {
    expect(pairs([index('a', [1], { unique: true }), index('ab', [1, 2])])).toEqual([]);
    expect(pairs([index('pkey', [1], { unique: true, primary: true }), index('a', [1])])).toEqual([['a', 'pkey']]);
  });
});
