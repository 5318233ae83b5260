/**
 * A `promtool test rules` file for the exported rule file: for each rule with a fixture, the
 * fixture's series under their Prometheus names, no alert while it is pending, and at the firing
 * time exactly the alerts (labels and rendered annotations) this plugin's engine computes from the
 * same samples. Prometheus passing it shows both engines agree on the same definition.
 */
import type { MetricFamily, MetricsSnapshot } from '@plugboard/plugin-metrics';
import { stringify } from 'yaml';
import { labelNameOf } from '../expr/ast.js';
import { evaluate } from '../expr/evaluate.js';
import { prometheusNameOf } from '@plugboard/plugin-metrics';
import { History } from '../engine/History.js';
import { RuleState } from '../engine/RuleState.js';
import type { CompiledRule } from '../rules/schema.js';
import { BUILTIN_FIXTURES, type FixtureSeries, type RuleFixture } from './fixtures.js';

const STEP_MS = 60_000;

function labelsText(attributes: Record<string, string | number> | undefined, extra: Record<string, string> = {}): string {
  const labels = { ...Object.fromEntries(Object.entries(attributes ?? {}).map(([k, v]) => [labelNameOf(k), String(v)])), ...extra };
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length > 0 ? `{${parts.join(', ')}}` : '';
}

/** promtool's `a+bxN` notation: N+1 samples from `start`, one per step. */
const expanding = (start: number, perStep: number, steps: number): string => `${start}+${perStep}x${steps}`;

function inputSeries(s: FixtureSeries, unit: string, steps: number): { series: string; values: string }[] {
  const name = prometheusNameOf(s.metric, unit, s.kind);
  if (s.kind !== 'histogram') return [{ series: `${name}${labelsText(s.attributes)}`, values: expanding(s.start, s.perStep, steps) }];
  let cumulative = 0;
  const buckets = [...s.boundaries.map(String), '+Inf'].map((le, i) => {
    cumulative += s.countsPerStep[i] ?? 0;
    return { series: `${name}_bucket${labelsText(s.attributes, { le })}`, values: expanding(0, cumulative, steps) };
  });
  return [
    ...buckets,
    { series: `${name}_count${labelsText(s.attributes)}`, values: expanding(0, cumulative, steps) },
    { series: `${name}_sum${labelsText(s.attributes)}`, values: expanding(0, s.sumPerStep, steps) },
  ];
}

function snapshotAt(fixture: RuleFixture, rule: CompiledRule, step: number): MetricsSnapshot {
  const families = new Map<string, MetricFamily & { points: MetricFamily['points'][number][] }>();
  for (const s of fixture.series) {
    const info = rule.metrics[s.metric]!;
    const family = families.get(s.metric) ?? { name: s.metric, prometheusName: prometheusNameOf(s.metric, info.unit, info.kind), kind: info.kind, unit: info.unit, description: '', points: [] };
    const attributes = s.attributes ?? {};
    if (s.kind === 'histogram') {
      const counts = s.countsPerStep.map((c) => c * step);
      family.points.push({ attributes, histogram: { boundaries: s.boundaries, counts, sum: s.sumPerStep * step, count: counts.reduce((a, b) => a + b, 0) } });
    } else family.points.push({ attributes, value: s.start + s.perStep * step });
    families.set(s.metric, family);
  }
  return { time: step * STEP_MS, families: [...families.values()] };
}

/** What this plugin's engine shows at each minute up to `until`, from the fixture's samples. */
function simulate(rule: CompiledRule, fixture: RuleFixture, until: number): Map<number, { labels: Record<string, string>; annotations: Record<string, string>; state: string }[]> {
  const history = new History(rule.rangeMs + STEP_MS);
  const state = new RuleState(rule);
  const out = new Map<number, { labels: Record<string, string>; annotations: Record<string, string>; state: string }[]>();
  for (let step = 0; step <= until; step++) {
    history.add(step * STEP_MS, snapshotAt(fixture, rule, step), new Set(Object.keys(rule.metrics)));
    state.apply(evaluate(rule.node, history), step * STEP_MS, { resolveMissingAfterMs: Infinity, keepResolvedMs: 0 });
    out.set(step, [...state.alerts.values()].map((a) => ({ labels: { ...a.labels }, annotations: { ...a.annotations }, state: a.state })));
  }
  return out;
}

/**
 * @example
 * writeFileSync('plugboard.rules.test.yml', promtoolTestFile(rules, { intervalMs: 15_000, ruleFile: 'plugboard.rules.yml' }));
 */
export function promtoolTestFile(rules: readonly CompiledRule[], options: { intervalMs: number; ruleFile: string; fixtures?: Readonly<Record<string, RuleFixture>> }): string {
  const fixtures = options.fixtures ?? BUILTIN_FIXTURES;
  const tested = rules.filter((r) => fixtures[r.name]);
  const untested = rules.filter((r) => !fixtures[r.name]).map((r) => r.name);
  const tests = tested.map((rule) => {
    const fixture = fixtures[rule.name]!;
    const steps = fixture.firingAt + 2;
    const seen = simulate(rule, fixture, fixture.firingAt);
    const firing = (seen.get(fixture.firingAt) ?? []).filter((a) => a.state === 'firing');
    const firingEarly = (seen.get(fixture.pendingAt) ?? []).filter((a) => a.state === 'firing');
    // A rule whose threshold or `for` the config changed may not fire on its fixture (or fire
    // sooner): the test then expects what the engine computed, whatever it is.
    const asDesigned = firing.length > 0 && firingEarly.length === 0;
    return {
      interval: '1m',
      name: asDesigned ? `${rule.name} goes pending, then fires` : `${rule.name} on its fixture, as configured (expected alerts computed by plugins/alerts)`,
      input_series: fixture.series.flatMap((s) => inputSeries(s, rule.metrics[s.metric]!.unit, steps)),
      alert_rule_test: [
        { eval_time: `${fixture.pendingAt}m`, alertname: rule.name, exp_alerts: firingEarly.map((a) => ({ exp_labels: a.labels, exp_annotations: a.annotations })) },
        { eval_time: `${fixture.firingAt}m`, alertname: rule.name, exp_alerts: firing.map((a) => ({ exp_labels: a.labels, exp_annotations: a.annotations })) },
      ],
    };
  });
  const header = [
    `# Generated by 'plugboard alerts export --format promtool-test'; run: promtool test rules <this file>`,
    `# (the rule file ${options.ruleFile} must sit beside it). The expected alerts are what plugins/alerts computes from the same series.`,
    ...(untested.length > 0 ? [`# Rules without a fixture, not tested here: ${untested.join(', ')}`] : []),
  ];
  return `${header.join('\n')}\n${stringify({ rule_files: [options.ruleFile], evaluation_interval: '1m', tests }, { lineWidth: 0 })}`;
}
