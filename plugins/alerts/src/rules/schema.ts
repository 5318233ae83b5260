/**
 * The shape of an alert rule, in the config (`plugins.alerts.rules`) and from plugins
 * (`shipAlertRules`), and its compilation into what the engine runs. Every problem is a zod issue
 * on the field at fault, so the config loader reports `plugins.alerts.rules[2].for: …`.
 */
import { durationSchema, parseDuration } from '@plugboard/plugin-api';
import { z } from 'zod';
import type { AlertSeverity } from '../contract.js';
import { longestRangeOf, metricsOf, type ExprNode } from '../expr/ast.js';
import { parseExpr } from '../expr/parse.js';
import { typeOf, type MetricInfo } from '../expr/typecheck.js';
import { templateProblem } from './template.js';
import { METRIC_CATALOG, type CatalogEntry } from './catalog.js';

export const comparisonSchema = z.enum(['>', '>=', '<', '<=', '==', '!=']);
export type Comparison = z.infer<typeof comparisonSchema>;

const metricDeclarationSchema = z.strictObject({
  kind: z.enum(['counter', 'updowncounter', 'gauge', 'histogram']).describe('What the instrument is'),
  unit: z.string().default('').describe("Its UCUM unit ('s', 'By', '{item}'), for the Prometheus name"),
  plugin: z.string().optional().describe('The plugin that records it (default: the rule\'s owner)'),
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name is letters, digits and underscores, not starting with a digit');

/** One rule, as written in the config or shipped by a plugin. */
export const alertRuleInputSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a rule name is letters, digits and underscores (it becomes the alertname label), such as HighErrorRate')
      .describe('The rule and its alerts\' alertname'),
    expr: z.string().describe('The expression, in the rule syntax over OpenTelemetry names (see README)'),
    op: comparisonSchema.default('>').describe('How the value compares with the threshold to alert'),
    threshold: z.number({ error: 'the threshold must be a number' }).refine(Number.isFinite, 'the threshold must be a finite number'),
    for: durationSchema.default('0s').describe('How long the condition must hold before the alert fires (pending until then)'),
    keepFiringFor: durationSchema.default('0s').describe('How long a firing alert keeps firing after the condition stops'),
    severity: z.enum(['info', 'warning', 'critical']).default('warning'),
    labels: z.record(labelName, z.string()).default({}).describe('Extra labels of its alerts'),
    annotations: z
      .record(labelName, z.string())
      .default({})
      .describe('summary, description, ...: templates with {{ $value }} and {{ $labels.name }}'),
    metrics: z.record(z.string(), metricDeclarationSchema).default({}).describe('Metrics the rule reads that are not in the catalog'),
  })
  .superRefine((rule, ctx) => {
    for (const [key, text] of Object.entries(rule.annotations)) {
      const problem = templateProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', path: ['annotations', key], message: problem });
    }
    let node: ExprNode;
    try {
      node = parseExpr(rule.expr);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['expr'], message: `does not parse: ${(err as Error).message}` });
      return;
    }
    try {
      typeOf(node, (m) => lookupIn(rule.metrics, m));
    } catch (err) {
      const names = Object.keys(METRIC_CATALOG).join(', ');
      const hint = /unknown metric/.test((err as Error).message) ? ` (known: ${names}; declare others in the rule's metrics)` : '';
      ctx.addIssue({ code: 'custom', path: ['expr'], message: `${(err as Error).message}${hint}` });
    }
  });

/** A rule as written: what plugins pass to `shipAlertRules` and the config's `rules` hold. */
export type AlertRuleInput = z.input<typeof alertRuleInputSchema>;

function lookupIn(declared: Record<string, { kind: MetricInfo['kind']; unit: string; plugin?: string | undefined }>, metric: string): CatalogEntry | undefined {
  const own = declared[metric];
  if (own) return { kind: own.kind, unit: own.unit, plugin: own.plugin ?? '' };
  return METRIC_CATALOG[metric];
}

/** A rule ready for the engine. */
export interface CompiledRule {
  name: string;
  /** 'builtin', 'config' or the plugin that shipped it. */
  source: string;
  expr: string;
  node: ExprNode;
  op: Comparison;
  threshold: number;
  forMs: number;
  forText: string;
  keepFiringForMs: number;
  severity: AlertSeverity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Every metric it reads, with what it is and who records it. */
  metrics: Record<string, CatalogEntry>;
  /** The longest window it reads over. */
  rangeMs: number;
}

/**
 * Validates and compiles one rule; throws a ZodError whose issues name the fields at fault.
 *
 * @example
 * compileRule({ name: 'Busy', expr: 'plugboard.batch.queue_depth', threshold: 500 }, 'config')
 */
export function compileRule(input: unknown, source: string): CompiledRule {
  const rule = alertRuleInputSchema.parse(input);
  const node = parseExpr(rule.expr);
  const metrics: Record<string, CatalogEntry> = {};
  for (const m of metricsOf(node)) {
    const entry = lookupIn(rule.metrics, m)!;
    metrics[m] = { ...entry, plugin: entry.plugin === '' ? source : entry.plugin };
  }
  const forText = typeof rule.for === 'number' ? `${rule.for}ms` : rule.for;
  return {
    name: rule.name,
    source,
    expr: rule.expr,
    node,
    op: rule.op,
    threshold: rule.threshold,
    forMs: parseDuration(rule.for, `rule '${rule.name}' for`),
    forText,
    keepFiringForMs: parseDuration(rule.keepFiringFor, `rule '${rule.name}' keepFiringFor`),
    severity: rule.severity,
    labels: rule.labels,
    annotations: rule.annotations,
    metrics,
    rangeMs: longestRangeOf(node),
  };
}

/** True when `value op threshold` holds (NaN never does, as in PromQL). */
export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return !Number.isNaN(value) && value !== threshold;
  }
}
