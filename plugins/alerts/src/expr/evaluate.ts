/**
 * Evaluates an expression over the samples the engine keeps (engine/History.ts), with PromQL's
 * meaning: `rate` and `increase` extrapolate as Prometheus does (counter resets handled, at least two
 * samples needed), `histogram_quantile` interpolates within buckets as Prometheus does, binary
 * operators match series with identical labels, and aggregations group by the `by` labels.
 */
import type { HistogramValue, MetricKind } from '@plugboard/plugin-metrics';
import type { AggregateOp, ExprNode, LabelMatcher } from './ast.js';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** ms since the epoch */
  t: number;
  value?: number;
  histogram?: HistogramValue;
}

/** One series of a metric and its samples, oldest first. */
export interface SeriesData {
  labels: Labels;
  samples: readonly Sample[];
}

/** Where the evaluator reads samples from. */
export interface SeriesSource {
  /** The metric's kind, or undefined when no such metric is recorded. */
  kindOf(metric: string): MetricKind | undefined;
  /** The evaluation time: the end of every window (ms). */
  time(): number;
  /** Series present in the latest snapshot, with their samples of the last `rangeMs` (only the latest when 0). */
  series(metric: string, rangeMs: number): readonly SeriesData[];
}

export interface NumberSeries {
  labels: Labels;
  value: number;
}
export interface HistogramSeries {
  labels: Labels;
  boundaries: readonly number[];
  /** Per bucket (not cumulative), as rates or increases over the window. */
  counts: number[];
  count: number;
  sum: number;
}

export type ExprValue =
  | { type: 'scalar'; value: number }
  | { type: 'vector'; series: NumberSeries[] }
  | { type: 'histograms'; series: HistogramSeries[] };

/** Thrown when an expression reads a metric that nothing records now. */
export class MissingMetricError extends Error {
  override readonly name = 'MissingMetricError';
  constructor(readonly metric: string) {
    super(`metric '${metric}' is not recorded`);
  }
}

/** A stable key of a label set. */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function matches(labels: Labels, matchers: readonly LabelMatcher[]): boolean {
  return matchers.every((m) => {
    const value = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        return value === m.value;
      case '!=':
        return value !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`).test(value);
      case '!~':
        return !new RegExp(`^(?:${m.value})$`).test(value);
    }
  });
}

interface Point {
  t: number;
  v: number;
}

/**
 * Prometheus' extrapolated rate/increase of a counter over `[end - rangeMs, end]`: the increase
 * between the first and last samples (resets counted), extrapolated towards the window's edges
 * (by at most half a sample interval when the data stops short, and never below zero), and for
 * `rate` divided by the whole window, as Prometheus does.
 */
export function extrapolatedIncrease(points: readonly Point[], end: number, rangeMs: number, perSecond: boolean): number | undefined {
  if (points.length < 2) return undefined;
  const first = points[0]!;
  const last = points.at(-1)!;
  let increase = last.v - first.v;
  for (let i = 1; i < points.length; i++) if (points[i]!.v < points[i - 1]!.v) increase += points[i - 1]!.v;
  const sampled = (last.t - first.t) / 1000;
  if (sampled <= 0) return undefined;
  let toStart = (first.t - (end - rangeMs)) / 1000;
  const toEnd = (end - last.t) / 1000;
  const average = sampled / (points.length - 1);
  if (increase > 0 && first.v >= 0) toStart = Math.min(toStart, sampled * (first.v / increase));
  const threshold = average * 1.1;
  let interval = sampled;
  interval += toStart < threshold ? toStart : average / 2;
  interval += toEnd < threshold ? toEnd : average / 2;
  const extrapolated = increase * (interval / sampled);
  return perSecond ? extrapolated / (rangeMs / 1000) : extrapolated;
}

function selectorSeries(source: SeriesSource, node: Extract<ExprNode, { kind: 'selector' }>, rangeMs: number): SeriesData[] {
  const kind = source.kindOf(node.metric);
  if (kind === undefined) throw new MissingMetricError(node.metric);
  // The rule was checked against the catalog; the live instrument may still be of another kind.
  if (rangeMs === 0 && kind === 'histogram') throw new Error(`'${node.metric}' is recorded as a histogram, and the rule reads it as a number`);
  if (rangeMs > 0 && kind !== 'counter' && kind !== 'histogram') throw new Error(`'${node.metric}' is recorded as a ${kind}, and the rule takes its rate`);
  return source.series(node.metric, rangeMs).filter((s) => matches(s.labels, node.matchers));
}

function rateOf(source: SeriesSource, node: Extract<ExprNode, { kind: 'rate' }>): ExprValue {
  const rangeMs = node.arg.rangeMs!;
  const end = source.time();
  const data = selectorSeries(source, node.arg, rangeMs);
  const perSecond = node.fn === 'rate';
  const of = (points: Point[]): number | undefined => extrapolatedIncrease(points, end, rangeMs, perSecond);
  if (source.kindOf(node.arg.metric) === 'histogram') {
    const series = data.flatMap((s): HistogramSeries[] => {
      const hs = s.samples.flatMap((x) => (x.histogram ? [{ t: x.t, h: x.histogram }] : []));
      const last = hs.at(-1)?.h;
      const count = of(hs.map((x) => ({ t: x.t, v: x.h.count })));
      if (!last || count === undefined) return [];
      // Buckets are cumulative in Prometheus; extrapolate them so, then turn them back into per-bucket counts.
      const cumulative = last.counts.map((_, i) => of(hs.map((x) => ({ t: x.t, v: x.h.counts.slice(0, i + 1).reduce((a, b) => a + b, 0) }))) ?? 0);
      const counts = cumulative.map((c, i) => c - (i === 0 ? 0 : cumulative[i - 1]!));
      return [{ labels: s.labels, boundaries: last.boundaries, counts, count, sum: of(hs.map((x) => ({ t: x.t, v: x.h.sum }))) ?? 0 }];
    });
    return { type: 'histograms', series };
  }
  const series = data.flatMap((s) => {
    const value = of(s.samples.map((x) => ({ t: x.t, v: x.value ?? 0 })));
    return value === undefined ? [] : [{ labels: s.labels, value }];
  });
  return { type: 'vector', series };
}

/** Prometheus' histogram_quantile over per-bucket counts. */
export function quantileOf(q: number, boundaries: readonly number[], counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const before = cumulative;
    cumulative += counts[i]!;
    if (cumulative < rank) continue;
    if (i >= boundaries.length) return boundaries.at(-1) ?? NaN;
    const end = boundaries[i]!;
    const start = i === 0 ? Math.min(0, end) : boundaries[i - 1]!;
    if (i === 0 && end <= 0) return end;
    return start + (end - start) * ((rank - before) / counts[i]!);
  }
  return boundaries.at(-1) ?? NaN;
}

function groupLabels(labels: Labels, by: readonly string[] | undefined): Labels {
  const out: Record<string, string> = {};
  for (const name of by ?? []) if (labels[name] !== undefined && labels[name] !== '') out[name] = labels[name];
  return out;
}

function aggregate(op: AggregateOp, values: number[]): number {
  switch (op) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'count':
      return values.length;
  }
}

function aggregateOf(node: Extract<ExprNode, { kind: 'aggregate' }>, inner: ExprValue): ExprValue {
  if (inner.type === 'scalar') throw new Error(`${node.op}() needs series, not a number`);
  const groups = new Map<string, { labels: Labels; members: (NumberSeries | HistogramSeries)[] }>();
  for (const s of inner.series) {
    const labels = groupLabels(s.labels, node.by);
    const key = labelsKey(labels);
    const group = groups.get(key) ?? { labels, members: [] };
    group.members.push(s);
    groups.set(key, group);
  }
  if (inner.type === 'vector') {
    return { type: 'vector', series: [...groups.values()].map((g) => ({ labels: g.labels, value: aggregate(node.op, g.members.map((m) => (m as NumberSeries).value)) })) };
  }
  const series = [...groups.values()].map((g): HistogramSeries => {
    const members = g.members as HistogramSeries[];
    const first = members[0]!;
    const same = members.filter((m) => m.boundaries.length === first.boundaries.length && m.boundaries.every((b, i) => b === first.boundaries[i]));
    return {
      labels: g.labels,
      boundaries: first.boundaries,
      counts: first.counts.map((_, i) => same.reduce((a, m) => a + (m.counts[i] ?? 0), 0)),
      count: same.reduce((a, m) => a + m.count, 0),
      sum: same.reduce((a, m) => a + m.sum, 0),
    };
  });
  return { type: 'histograms', series };
}

function arithmetic(op: string, a: number, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
}

function binaryOf(node: Extract<ExprNode, { kind: 'binary' }>, left: ExprValue, right: ExprValue): ExprValue {
  if (left.type === 'histograms' || right.type === 'histograms') throw new Error(`'${node.op}' needs numbers, not histograms`);
  if (left.type === 'scalar' && right.type === 'scalar') return { type: 'scalar', value: arithmetic(node.op, left.value, right.value) };
  if (left.type === 'scalar' && right.type === 'vector') return { type: 'vector', series: right.series.map((s) => ({ labels: s.labels, value: arithmetic(node.op, left.value, s.value) })) };
  if (left.type === 'vector' && right.type === 'scalar') return { type: 'vector', series: left.series.map((s) => ({ labels: s.labels, value: arithmetic(node.op, s.value, right.value) })) };
  const l = left as Extract<ExprValue, { type: 'vector' }>;
  const byKey = new Map((right as Extract<ExprValue, { type: 'vector' }>).series.map((s) => [labelsKey(s.labels), s]));
  const series = l.series.flatMap((s) => {
    const other = byKey.get(labelsKey(s.labels));
    return other ? [{ labels: s.labels, value: arithmetic(node.op, s.value, other.value) }] : [];
  });
  return { type: 'vector', series };
}

/**
 * Evaluates `node` over `source`. Throws {@link MissingMetricError} when a metric it reads is not
 * recorded at all (a metric with no series matching the filters is an empty result, not an error).
 *
 * @example
 * const value = evaluate(parseExpr('sum(rate(plugboard.cache.hits[5m]))'), history);
 */
export function evaluate(node: ExprNode, source: SeriesSource): ExprValue {
  switch (node.kind) {
    case 'number':
      return { type: 'scalar', value: node.value };
    case 'selector':
      return {
        type: 'vector',
        series: selectorSeries(source, node, 0).flatMap((s) => {
          const value = s.samples.at(-1)?.value;
          return value === undefined ? [] : [{ labels: s.labels, value }];
        }),
      };
    case 'rate':
      return rateOf(source, node);
    case 'quantile':
    case 'histogramPart': {
      const inner = evaluate(node.arg, source);
      if (inner.type !== 'histograms') throw new Error(`${node.kind === 'quantile' ? 'histogram_quantile' : `histogram_${node.part}`}() needs histograms`);
      const value = (h: HistogramSeries): number =>
        node.kind === 'quantile' ? quantileOf(node.q, h.boundaries, h.counts) : node.part === 'count' ? h.count : h.sum;
      return { type: 'vector', series: inner.series.map((h) => ({ labels: h.labels, value: value(h) })) };
    }
    case 'aggregate':
      return aggregateOf(node, evaluate(node.arg, source));
    case 'binary':
      return binaryOf(node, evaluate(node.left, source), evaluate(node.right, source));
  }
}
