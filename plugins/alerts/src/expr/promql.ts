/**
 * Prints an expression as PromQL over the names `/metrics` exposes: counters read as `x_total`,
 * histograms as `x_bucket` under histogram_quantile (with `le` kept in every `sum by`), `x_count`
 * and `x_sum` under histogram_count/histogram_sum, label names as Prometheus writes them.
 */
import type { ExprNode, LabelMatcher } from './ast.js';
import { prometheusNameOf } from '@plugboard/plugin-metrics';
import type { MetricInfo } from './typecheck.js';

type Part = 'bucket' | 'count' | 'sum' | undefined;

function matchersText(matchers: readonly LabelMatcher[]): string {
  if (matchers.length === 0) return '';
  return `{${matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
}

/** A number as PromQL reads it (no exponent surprises, NaN and Inf spelt out). */
export function promNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

/**
 * PromQL for `node`; `lookup` gives each metric's kind and unit (throws for an unknown one).
 *
 * @example
 * toPromQL(parseExpr('sum(rate(plugboard.cache.hits[5m]))'), lookup) // 'sum(rate(plugboard_cache_hits_total[5m]))'
 */
export function toPromQL(node: ExprNode, lookup: (metric: string) => MetricInfo, part: Part = undefined): string {
  const sub = (n: ExprNode, p: Part = part): string => toPromQL(n, lookup, p);
  switch (node.kind) {
    case 'number':
      return promNumber(node.value);
    case 'selector': {
      const info = lookup(node.metric);
      const base = prometheusNameOf(node.metric, info.unit, info.kind);
      const name = info.kind === 'histogram' ? `${base}_${part ?? 'bucket'}` : base;
      return `${name}${matchersText(node.matchers)}${node.rangeText ? `[${node.rangeText}]` : ''}`;
    }
    case 'rate':
      return `${node.fn}(${sub(node.arg)})`;
    case 'quantile':
      return `histogram_quantile(${node.q}, ${sub(node.arg, 'bucket')})`;
    case 'histogramPart':
      return sub(node.arg, node.part);
    case 'aggregate': {
      const by = [...(node.by ?? []), ...(part === 'bucket' ? ['le'] : [])];
      return `${node.op}${by.length > 0 ? ` by (${by.join(', ')})` : ''} (${sub(node.arg)})`;
    }
    case 'binary': {
      const side = (n: ExprNode): string => (n.kind === 'binary' ? `(${sub(n)})` : sub(n));
      return `${side(node.left)} ${node.op} ${side(node.right)}`;
    }
  }
}
