/**
 * Checks that an expression's parts fit together (rate over a counter or histogram, quantiles of
 * histograms, arithmetic on plain numbers) given what each metric is. Both engines need it: the
 * in-process evaluator to know what to compute, the exporter to know which series suffix to use.
 */
import type { MetricKind } from '@plugboard/plugin-metrics';
import type { ExprNode } from './ast.js';

/** What an expression yields: a number, numbers per label set, or histograms per label set. */
export type ExprType = 'scalar' | 'vector' | 'histograms';

/** What is known of a metric: its kind and unit (for the Prometheus name). */
export interface MetricInfo {
  kind: MetricKind;
  unit: string;
}

/** A type error, as a sentence naming the metric or function at fault. */
export class ExprTypeError extends Error {
  override readonly name = 'ExprTypeError';
}

/**
 * The type of `node`; throws {@link ExprTypeError} when parts do not fit or `lookup` does not know
 * a metric (it returns undefined for an unknown name).
 *
 * @example
 * typeOf(parseExpr('rate(plugboard.cache.hits[5m])'), (n) => catalog.get(n)) // 'vector'
 */
export function typeOf(node: ExprNode, lookup: (metric: string) => MetricInfo | undefined): ExprType {
  const info = (metric: string): MetricInfo => {
    const found = lookup(metric);
    if (!found) throw new ExprTypeError(`unknown metric '${metric}'`);
    return found;
  };
  switch (node.kind) {
    case 'number':
      return 'scalar';
    case 'selector': {
      const { kind } = info(node.metric);
      if (node.rangeMs !== undefined) throw new ExprTypeError(`the window on '${node.metric}' needs rate() or increase() around it`);
      if (kind === 'histogram') {
        throw new ExprTypeError(`'${node.metric}' is a histogram: use histogram_quantile(q, rate(${node.metric}[5m])) or histogram_count(rate(${node.metric}[5m]))`);
      }
      return 'vector';
    }
    case 'rate': {
      const { kind } = info(node.arg.metric);
      if (kind === 'histogram') return 'histograms';
      if (kind !== 'counter') throw new ExprTypeError(`${node.fn}() needs a counter or a histogram, and '${node.arg.metric}' is a ${kind}: compare its current value instead`);
      return 'vector';
    }
    case 'quantile':
    case 'histogramPart': {
      const inner = typeOf(node.arg, lookup);
      const fn = node.kind === 'quantile' ? 'histogram_quantile' : `histogram_${node.part}`;
      if (inner !== 'histograms') throw new ExprTypeError(`${fn}() needs histograms, such as rate(<histogram>[5m]), not a ${inner}`);
      return 'vector';
    }
    case 'aggregate': {
      const inner = typeOf(node.arg, lookup);
      if (inner === 'scalar') throw new ExprTypeError(`${node.op}() needs series, not a number`);
      if (inner === 'histograms' && node.op !== 'sum') throw new ExprTypeError(`histograms can only be summed (sum by (...)), not ${node.op}()`);
      return inner;
    }
    case 'binary': {
      const left = typeOf(node.left, lookup);
      const right = typeOf(node.right, lookup);
      if (left === 'histograms' || right === 'histograms') {
        throw new ExprTypeError(`'${node.op}' needs numbers: wrap histograms in histogram_quantile(), histogram_count() or histogram_sum()`);
      }
      return left === 'scalar' && right === 'scalar' ? 'scalar' : 'vector';
    }
  }
}
