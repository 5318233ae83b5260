/**
 * The syntax tree of a rule expression. The rule syntax is a small subset of PromQL written over
 * OpenTelemetry metric names (`rate(plugboard.cache.hits[5m])`), so one tree is both evaluated in
 * process (expr/evaluate.ts) and printed as PromQL over the names `/metrics` shows (expr/promql.ts).
 */

import { prometheusLabelOf } from '@plugboard/plugin-metrics';

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** A label filter; `name` is already the Prometheus label name (dots turned into underscores). */
export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count';
export type ArithmeticOp = '+' | '-' | '*' | '/';

export type ExprNode =
  | { kind: 'number'; value: number }
  /** A metric's current value, or (with `rangeMs`) its samples over a window, inside rate/increase. */
  | { kind: 'selector'; metric: string; matchers: LabelMatcher[]; rangeMs?: number; rangeText?: string }
  /** Per-second rate or increase of a counter (or of each bucket of a histogram) over the selector's window. */
  | { kind: 'rate'; fn: 'rate' | 'increase'; arg: Extract<ExprNode, { kind: 'selector' }> }
  /** `histogram_quantile(q, histograms)`. */
  | { kind: 'quantile'; q: number; arg: ExprNode }
  /** `histogram_count(histograms)` / `histogram_sum(histograms)`: the count or sum part of each histogram. */
  | { kind: 'histogramPart'; part: 'count' | 'sum'; arg: ExprNode }
  | { kind: 'aggregate'; op: AggregateOp; by?: string[]; arg: ExprNode }
  | { kind: 'binary'; op: ArithmeticOp; left: ExprNode; right: ExprNode };

/** Turns an OpenTelemetry attribute name into the Prometheus label name both engines use (as `/metrics` writes it). */
export const labelNameOf: (attribute: string) => string = prometheusLabelOf;

/** Every metric name an expression reads, in order of appearance, without duplicates. */
export function metricsOf(node: ExprNode): string[] {
  const found: string[] = [];
  const walk = (n: ExprNode): void => {
    switch (n.kind) {
      case 'number':
        return;
      case 'selector':
        if (!found.includes(n.metric)) found.push(n.metric);
        return;
      case 'binary':
        walk(n.left);
        walk(n.right);
        return;
      default:
        walk(n.arg);
    }
  };
  walk(node);
  return found;
}

/** The longest window an expression looks back over, in ms (0 when it reads only current values). */
export function longestRangeOf(node: ExprNode): number {
  switch (node.kind) {
    case 'number':
      return 0;
    case 'selector':
      return node.rangeMs ?? 0;
    case 'binary':
      return Math.max(longestRangeOf(node.left), longestRangeOf(node.right));
    default:
      return longestRangeOf(node.arg);
  }
}
