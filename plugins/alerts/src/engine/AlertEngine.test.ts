import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '@plugboard/plugin-metrics';
import { promqlOfRule } from '../export/promqlOfRule.js';
import { Silences } from '../notify/Silences.js';
import { compileRule, type AlertRuleInput } from '../rules/schema.js';
import { ManualClock } from '../__fixtures__/ManualClock.js';
import { snapshotOf } from '../__fixtures__/snapshots.js';
import { AlertEngine, type EvaluationOutcome } from './AlertEngine.js';

const S = 1000;

function setup(rules: AlertRuleInput[], opts: { plugins?: Record<string, string> } = {}) {
  const clock = new ManualClock();
  let snapshot: MetricsSnapshot = snapshotOf(0, []);
  const outcomes: EvaluationOutcome[] = [];
  const silences = new Silences(() => clock.now());
  const engine = new AlertEngine({
    collect: async () => snapshot,
    clock,
    logger: pino({ level: 'silent' }),
    intervalMs: 15 * S,
    resolveMissingAfterMs: 60 * S,
    keepResolvedMs: 15 * 60 * S,
    silences,
    inhibitRules: [{ source: { alertname: 'Cpu' }, target: { alertname: 'Slow' }, equal: [] }],
    pluginState: (name) => opts.plugins?.[name],
    promqlOf: promqlOfRule,
  });
  engine.setRules(rules.map((r) => compileRule(r, 'config')));
  engine.addNotifier({ notify: (o) => void outcomes.push(o) });
  const set = (queue: Record<string, number>) =>
    (snapshot = snapshotOf(clock.now(), [{ name: 'plugboard.batch.queue_depth', kind: 'gauge', points: Object.entries(queue).map(([q, value]) => ({ attributes: { 'queue.name': q }, value })) }]));
  return { clock, engine, outcomes, silences, set, setSnapshot: (s: MetricsSnapshot) => (snapshot = s) };
}

const queueRule: AlertRuleInput = {
  name: 'Deep',
  expr: 'plugboard.batch.queue_depth',
  threshold: 100,
  for: '30s',
  labels: { team: 'core' },
  annotations: { summary: '{{ $labels.queue_name }} holds {{ $value }}' },
};

describe('AlertEngine', () => {
  it('moves one alert per label set through pending, firing and resolved on the clock', async () => {
    const { clock, engine, outcomes, set } = setup([queueRule]);
    set({ a: 150, b: 10 });
    engine.start();
    await clock.advance(0);
    expect(engine.alerts()).toMatchObject([{ rule: 'Deep', state: 'pending', value: 150, labels: { alertname: 'Deep', severity: 'warning', team: 'core', queue_name: 'a' } }]);
    expect(engine.alerts()[0]!.annotations).toEqual({ summary: 'a holds 150' });
    const activeAt = engine.alerts()[0]!.activeAt;
    await clock.advance(15 * S);
    expect(engine.alerts()[0]!.state).toBe('pending');
    set({ a: 170, b: 300 });
    await clock.advance(15 * S);
    const [b, a] = engine.alerts();
    expect(a).toMatchObject({ state: 'firing', value: 170, activeAt, firedAt: new Date(clock.now()).toISOString() });
    expect(b).toMatchObject({ state: 'pending', labels: { queue_name: 'b' } });
    set({ a: 20, b: 300 });
    await clock.advance(15 * S);
    expect(engine.alerts().map((x) => [x.labels.queue_name, x.state])).toEqual([['b', 'pending'], ['a', 'resolved']]);
    expect(engine.alerts()[1]!.resolvedAt).toBe(new Date(clock.now()).toISOString());
    expect(outcomes.flatMap((o) => o.transitions.map((t) => `${t.alert.labels.queue_name}:${t.from}->${t.to}`))).toEqual([
      'a:inactive->pending',
      'a:pending->firing',
      'b:inactive->pending',
      'a:firing->resolved',
    ]);
    expect(engine.rules()).toMatchObject([{ name: 'Deep', health: 'ok', active: 1, promql: 'plugboard_batch_queue_depth > 100', for: '30s' }]);
    engine.stop();
  });

  it('keeps firing for keepFiringFor, and drops a pending alert whose condition stops', async () => {
    const { clock, engine, set } = setup([{ ...queueRule, for: '0s', keepFiringFor: '1m' }]);
    set({ a: 150 });
    await engine.evaluateNow();
    expect(engine.alerts()[0]!.state).toBe('firing');
    set({ a: 1 });
    await clock.advance(45 * S);
    await engine.evaluateNow();
    expect(engine.alerts()[0]!.state).toBe('firing');
    await clock.advance(15 * S);
    await engine.evaluateNow();
    expect(engine.alerts()[0]!.state).toBe('resolved');

    const second = setup([queueRule]);
    second.set({ a: 150 });
    await second.engine.evaluateNow();
    second.set({ a: 1 });
    await second.engine.evaluateNow();
    expect(second.engine.alerts()).toEqual([]);
  });

  it('resolves a firing alert whose series disappeared only after the grace period', async () => {
    const { clock, engine, set } = setup([{ ...queueRule, for: '0s' }]);
    set({ a: 150 });
    await engine.evaluateNow();
    set({});
    await clock.advance(45 * S);
    await engine.evaluateNow();
    expect(engine.alerts()[0]!.state).toBe('firing');
    await clock.advance(15 * S);
    await engine.evaluateNow();
    expect(engine.alerts()[0]!.state).toBe('resolved');
  });

  it('reports a missing metric with the plugin that gives it, and errors without touching alerts', async () => {
    const { engine, setSnapshot } = setup([{ ...queueRule, for: '0s' }], { plugins: { batching: 'disabled' } });
    await engine.evaluateNow();
    expect(engine.rules()[0]).toMatchObject({
      health: 'missing-metric',
      lastError: "metric 'plugboard.batch.queue_depth' is not recorded: it comes from plugin 'batching', which is disabled",
    });
    // The same name recorded as a histogram: the expression no longer fits, which is an evaluation error.
    setSnapshot(snapshotOf(0, [{ name: 'plugboard.batch.queue_depth', kind: 'histogram', points: [{ histogram: { boundaries: [1], counts: [1, 0], sum: 1, count: 1 } }] }]));
    await engine.evaluateNow();
    expect(engine.rules()[0]).toMatchObject({ health: 'error' });
    expect(engine.alerts()).toEqual([]);
  });

  it('mutes silenced and inhibited alerts but still lists them', async () => {
    const rules: AlertRuleInput[] = [
      { ...queueRule, name: 'Cpu', for: '0s' },
      { ...queueRule, name: 'Slow', for: '0s' },
      { ...queueRule, name: 'Other', for: '0s' },
    ];
    const { clock, engine, set, silences } = setup(rules);
    set({ a: 150 });
    await engine.evaluateNow();
    const muted = () => Object.fromEntries(engine.alerts().map((a) => [a.rule, a.muted]));
    expect(muted()).toEqual({ Cpu: false, Slow: true, Other: false });
    const s = silences.add({ matchers: [{ name: 'alertname', value: 'Oth.*', isRegex: true }], endsAt: new Date(clock.now() + 60 * S).toISOString() });
    expect(muted()).toEqual({ Cpu: false, Slow: true, Other: true });
    await clock.advance(61 * S);
    expect(muted()).toEqual({ Cpu: false, Slow: true, Other: false });
    expect(silences.remove(s.id)).toBe(false);
  });
});
