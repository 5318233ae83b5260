/** A compiled rule's condition as PromQL: `(<expression>) > threshold`. */
import { promNumber, toPromQL } from '../expr/promql.js';
import type { CompiledRule } from '../rules/schema.js';

/**
 * @example
 * promqlOfRule(rule) // 'max(plugboard_batch_queue_depth) > 1000'
 */
export function promqlOfRule(rule: CompiledRule): string {
  const expr = toPromQL(rule.node, (m) => {
    const info = rule.metrics[m];
    if (!info) throw new Error(`rule '${rule.name}' reads '${m}', which it does not know`);
    return info;
  });
  const wrapped = rule.node.kind === 'binary' ? `(${expr})` : expr;
  return `${wrapped} ${rule.op} ${promNumber(rule.threshold)}`;
}
