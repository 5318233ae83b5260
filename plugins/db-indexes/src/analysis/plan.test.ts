import { describe, expect, it } from 'vitest';
import { findMisestimates, hasSeqScan, indexesUsed, misestimateAdvice, planShape, type PlanNode } from './plan.js';

const node = (type: string, extra: Partial<PlanNode> = {}): PlanNode => ({ 'Node Type': type, 'Plan Rows': 10, 'Total Cost': 1, ...extra });

describe('plan helpers', () => {
  const plan = node('Limit', {
    Plans: [node('Index Scan', { 'Index Name': 'conversations_user_created', 'Relation Name': 'conversations', 'Plan Rows': 5000, 'Actual Rows': 20 })],
  });

  it('describe the shape and the indexes used', () => {
    expect(planShape(plan)).toBe('Limit > Index Scan using conversations_user_created on conversations');
    expect(indexesUsed(plan)).toEqual(['conversations_user_created']);
    expect(hasSeqScan(plan)).toBe(false);
    expect(hasSeqScan(node('Aggregate', { Plans: [node('Seq Scan')] }))).toBe(true);
  });

  it('skip nodes under a Limit, which stop early by design', () => {
    expect(findMisestimates(plan, 10)).toEqual([]);
  });

  it('flag a node 10x off, both ways, and not one 9x off', () => {
    const under = node('Aggregate', { Plans: [node('Seq Scan', { 'Relation Name': 'pairs', 'Plan Rows': 10, 'Actual Rows': 1000, Filter: '((a = 7) AND (b = 7))' })] });
    expect(findMisestimates(under, 10)).toEqual([
      { node: 'Seq Scan on pairs', relation: 'pairs', condition: '((a = 7) AND (b = 7))', estimatedRows: 10, actualRows: 1000, factor: 100 },
    ]);
    const over = node('Seq Scan', { 'Plan Rows': 5000, 'Actual Rows': 500 });
    expect(findMisestimates(over, 10)).toHaveLength(1);
    expect(findMisestimates(node('Seq Scan', { 'Plan Rows': 900, 'Actual Rows': 100 }), 10)).toEqual([]);
  });

  it('advise extended statistics for several columns, ANALYZE for one', () => {
    const m = { node: 'Seq Scan on pairs', relation: 'pairs', condition: '((a = 7) AND (b = 7))', estimatedRows: 10, actualRows: 1000, factor: 100 };
    expect(misestimateAdvice(m, ['a', 'b', 'c'])).toContain('CREATE STATISTICS pairs_a_b_dep (dependencies) ON a, b FROM pairs');
    expect(misestimateAdvice({ ...m, condition: '(a = 7)' }, ['a', 'b'])).toContain('ANALYZE pairs');
  });
});
