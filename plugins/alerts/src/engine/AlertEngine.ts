/**
 * Evaluates every rule on an interval (on the injected clock), keeps their alerts, and hands each
 * evaluation's outcome to the notifiers. Evaluations never overlap; one rule failing does not stop
 * the others, and its error is kept for the API, logged and counted.
 */
import type { Clock, ClockTimer } from '@plugboard/plugin-api';
import type { MetricsSnapshot } from '@plugboard/plugin-metrics';
import type { Logger } from 'pino';
import type { AlertInstance, RuleStatus } from '../contract.js';
import { evaluate, MissingMetricError, type ExprValue } from '../expr/evaluate.js';
import { inhibited, type InhibitRule } from '../notify/inhibit.js';
import type { Silences } from '../notify/Silences.js';
import type { CompiledRule } from '../rules/schema.js';
import { History } from './History.js';
import { RuleState, type TrackedAlert, type Transition } from './RuleState.js';

/** What a notifier receives after each evaluation. */
export interface EvaluationOutcome {
  now: number;
  /** Every pending, firing and recently resolved alert, with `muted` set. */
  alerts: AlertInstance[];
  transitions: { alert: AlertInstance; from: string; to: string }[];
}

export interface Notifier {
  notify(outcome: EvaluationOutcome): void | Promise<void>;
}

export interface EngineInstruments {
  evaluated(rule: string, durationMs: number, outcome: 'ok' | 'error' | 'missing-metric'): void;
}

export interface AlertEngineOptions {
  collect: () => Promise<MetricsSnapshot>;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  resolveMissingAfterMs: number;
  keepResolvedMs: number;
  silences: Silences;
  inhibitRules: readonly InhibitRule[];
  /** The state of a plugin by name (for missing-metric reports), undefined when not configured. */
  pluginState: (name: string) => string | undefined;
  promqlOf: (rule: CompiledRule) => string;
  instruments?: EngineInstruments;
}

interface RuleRecord {
  state: RuleState;
  promql: string;
  health: RuleStatus['health'];
  lastError?: string;
  lastEvaluation?: number;
  lastDurationMs?: number;
}

export class AlertEngine {
  private readonly records = new Map<string, RuleRecord>();
  private readonly history: History;
  private readonly notifiers: Notifier[] = [];
  private timer: ClockTimer | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: AlertEngineOptions) {
    this.history = new History(options.intervalMs);
  }

  addNotifier(notifier: Notifier): void {
    this.notifiers.push(notifier);
  }

  /** Replaces the rule set; rules kept by name keep their alerts. */
  setRules(rules: readonly CompiledRule[]): void {
    const next = new Map<string, RuleRecord>();
    for (const rule of rules) {
      const old = this.records.get(rule.name);
      if (old) old.state.rule = rule;
      next.set(rule.name, old ? { ...old, promql: this.options.promqlOf(rule) } : { state: new RuleState(rule), promql: this.options.promqlOf(rule), health: 'unknown' });
    }
    this.records.clear();
    for (const [k, v] of next) this.records.set(k, v);
    this.history.setKeep(Math.max(0, ...rules.map((r) => r.rangeMs)) + this.options.intervalMs);
  }

  /** Evaluates now, then every interval. */
  start(): void {
    this.stopped = false;
    this.reschedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Sets the next evaluation `delayMs` from now on the clock (after the clock was replaced, say). */
  reschedule(delayMs = this.options.intervalMs): void {
    this.timer?.cancel();
    if (this.stopped) return;
    this.timer = this.options.clock.setTimeout(() => {
      void this.evaluateNow().finally(() => this.reschedule());
    }, delayMs);
  }

  /** Runs one evaluation of every rule (after any running one); resolves when notifiers have been handed its outcome. */
  evaluateNow(): Promise<void> {
    this.running = this.running.then(() => this.evaluateAll()).catch((err: unknown) => this.options.logger.error({ err }, 'alert evaluation failed'));
    return this.running;
  }

  private async evaluateAll(): Promise<void> {
    const now = this.options.clock.now();
    const wanted = new Set([...this.records.values()].flatMap((r) => Object.keys(r.state.rule.metrics)));
    const snapshot = await this.options.collect();
    this.history.add(now, snapshot, wanted);
    const transitions: Transition[] = [];
    for (const record of this.records.values()) transitions.push(...this.evaluateRule(record, now));
    const alerts = this.alerts();
    const byId = new Map(alerts.map((a) => [a.id, a]));
    const outcome: EvaluationOutcome = {
      now,
      alerts,
      transitions: transitions.map((t) => ({ alert: byId.get(t.alert.id) ?? this.toInstance(t.alert, false), from: t.from, to: t.to })),
    };
    for (const notifier of this.notifiers) {
      try {
        await notifier.notify(outcome);
      } catch (err) {
        this.options.logger.error({ err }, 'an alert notifier failed');
      }
    }
  }

  private evaluateRule(record: RuleRecord, now: number): Transition[] {
    const rule = record.state.rule;
    const started = performance.now();
    let result: ExprValue | undefined;
    try {
      result = evaluate(rule.node, this.history);
      record.health = 'ok';
      delete record.lastError;
    } catch (err) {
      if (err instanceof MissingMetricError) {
        const plugin = rule.metrics[err.metric]?.plugin ?? 'unknown';
        const state = this.options.pluginState(plugin);
        record.health = 'missing-metric';
        record.lastError = `metric '${err.metric}' is not recorded: it comes from plugin '${plugin}', which is ${state === undefined ? 'not in the config' : state === 'started' ? 'running but has not recorded it yet' : state}`;
      } else {
        record.health = 'error';
        record.lastError = (err as Error).message;
        this.options.logger.warn({ rule: rule.name, err }, `alert rule '${rule.name}' failed to evaluate: ${record.lastError}`);
      }
    }
    const transitions = record.health === 'error' ? [] : record.state.apply(result, now, this.options);
    record.lastEvaluation = now;
    record.lastDurationMs = performance.now() - started;
    this.options.instruments?.evaluated(rule.name, record.lastDurationMs, record.health as 'ok' | 'error' | 'missing-metric');
    return transitions;
  }

  private toInstance(a: TrackedAlert, muted: boolean): AlertInstance {
    const rule = this.records.get(a.rule)?.state.rule;
    return {
      id: a.id,
      rule: a.rule,
      severity: rule?.severity ?? 'warning',
      state: a.state,
      labels: a.labels,
      annotations: a.annotations,
      value: a.value,
      activeAt: new Date(a.activeAt).toISOString(),
      ...(a.firedAt !== undefined ? { firedAt: new Date(a.firedAt).toISOString() } : {}),
      ...(a.resolvedAt !== undefined ? { resolvedAt: new Date(a.resolvedAt).toISOString() } : {}),
      muted,
    };
  }

  /** Pending and firing alerts (newest first), then recently resolved ones (newest first). */
  alerts(): AlertInstance[] {
    const all = [...this.records.values()].flatMap((r) => [...r.state.alerts.values()]);
    const firing = all.filter((a) => a.state === 'firing').map((a) => a.labels);
    const muted = (a: TrackedAlert): boolean => a.state !== 'resolved' && (this.options.silences.mutes(a.labels) || inhibited(this.options.inhibitRules, a.labels, firing));
    const active = all.filter((a) => a.state !== 'resolved').sort((x, y) => y.activeAt - x.activeAt);
    const resolved = all.filter((a) => a.state === 'resolved').sort((x, y) => y.resolvedAt! - x.resolvedAt!);
    return [...active, ...resolved].map((a) => this.toInstance(a, muted(a)));
  }

  rules(): RuleStatus[] {
    return [...this.records.values()].map((r) => {
      const rule = r.state.rule;
      return {
        name: rule.name,
        source: rule.source,
        severity: rule.severity,
        expression: `${rule.expr} ${rule.op} ${rule.threshold}`,
        promql: r.promql,
        for: rule.forText,
        health: r.health,
        ...(r.lastError !== undefined ? { lastError: r.lastError } : {}),
        ...(r.lastEvaluation !== undefined ? { lastEvaluation: new Date(r.lastEvaluation).toISOString() } : {}),
        ...(r.lastDurationMs !== undefined ? { lastDurationMs: r.lastDurationMs } : {}),
        active: [...r.state.alerts.values()].filter((a) => a.state !== 'resolved').length,
      };
    });
  }
}
