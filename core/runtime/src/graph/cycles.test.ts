import { describe, expect, it } from 'vitest';
import { findCycles } from './cycles.js';

describe('findCycles', () => {
  it('finds each elementary cycle once, from its earliest node, even when cycles share nodes', () => {
    const edges = new Map([
      ['a', ['c', 'b']],
      ['b', ['a']],
      ['c', ['a', 'd']],
      ['d', ['b']],
    ]);
    expect(findCycles(['a', 'b', 'c', 'd'], edges)).toEqual([
      ['a', 'b', 'a'],
      ['a', 'c', 'a'],
      ['a', 'c', 'd', 'b', 'a'],
    ]);
  });

  it('finds nothing in a graph without cycles and ignores unknown targets', () => {
    expect(findCycles(['a', 'b'], new Map([['a', ['b', 'zz']]]))).toEqual([]);
  });
});
