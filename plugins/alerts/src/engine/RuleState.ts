/**
 * One rule's alerts, one per label set, moved through Prometheus' states on each evaluation:
 * inactive -> pending (condition true) -> firing (true for `for`) -> resolved (false again, after
 * `keepFiringFor`). A series missing from the result (its source went away) is not taken as
 * "false": its alert stays as it is until `resolveMissingAfter` has passed, then resolves.
 */
import { createHash } from 'node:crypto';
import type { AlertState } from '../contract.js';
import { labelsKey, type ExprValue, type Labels } from '../expr/evaluate.js';
import { compare, type CompiledRule } from '../rules/schema.js';
import { renderTemplate } from '../rules/template.js';

export interface TrackedAlert {
  id: string;
  rule: string;
  labels: Labels;
  annotations: Record<string, string>;
  value: number;
  state: Exclude<AlertState, 'inactive'>;
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  /** Last evaluation whose result held this series, and last one where the condition held. */
  lastSeenAt: number;
  lastActiveAt: number;
}

export interface Transition {
  alert: TrackedAlert;
  from: AlertState;
  to: AlertState;
}

export interface StateTimings {
  resolveMissingAfterMs: number;
  keepResolvedMs: number;
}

export function alertIdOf(rule: string, labels: Labels): string {
  return createHash('sha256').update(rule).update('\0').update(labelsKey(labels)).digest('hex').slice(0, 16);
}

export class RuleState {
  readonly alerts = new Map<string, TrackedAlert>();

  constructor(public rule: CompiledRule) {}

  /** The alert's labels for a result series: the series' own, the rule's, alertname and severity. */
  private labelsFor(series: Labels): Labels {
    return { ...series, ...this.rule.labels, alertname: this.rule.name, severity: this.rule.severity };
  }

  private render(alert: TrackedAlert): void {
    const annotations: Record<string, string> = {};
    for (const [key, text] of Object.entries(this.rule.annotations)) annotations[key] = renderTemplate(text, alert.value, alert.labels);
    alert.annotations = annotations;
  }

  /** Applies one evaluation's result (undefined: the metric is missing, every series is absent). */
  apply(result: ExprValue | undefined, now: number, timings: StateTimings): Transition[] {
    const transitions: Transition[] = [];
    const move = (alert: TrackedAlert, to: Exclude<AlertState, 'inactive'> | 'inactive'): void => {
      transitions.push({ alert, from: alert.state, to });
      if (to === 'inactive') this.alerts.delete(alert.id);
      else alert.state = to;
      if (to === 'firing') alert.firedAt = now;
      if (to === 'resolved') alert.resolvedAt = now;
    };
    const series = result === undefined ? [] : result.type === 'scalar' ? [{ labels: {}, value: result.value }] : result.type === 'vector' ? result.series : [];
    const seen = new Set<string>();
    for (const s of series) {
      const labels = this.labelsFor(s.labels);
      const id = alertIdOf(this.rule.name, labels);
      seen.add(id);
      const holds = compare(s.value, this.rule.op, this.rule.threshold);
      let alert = this.alerts.get(id);
      if (holds && (!alert || alert.state === 'resolved')) {
        const from = alert?.state ?? 'inactive';
        alert = { id, rule: this.rule.name, labels, annotations: {}, value: s.value, state: 'pending', activeAt: now, lastSeenAt: now, lastActiveAt: now };
        this.alerts.set(id, alert);
        transitions.push({ alert, from, to: 'pending' });
      }
      if (!alert) continue;
      alert.lastSeenAt = now;
      if (alert.state === 'resolved') continue;
      alert.value = s.value;
      this.render(alert);
      if (holds) {
        alert.lastActiveAt = now;
        if (alert.state === 'pending' && now - alert.activeAt >= this.rule.forMs) move(alert, 'firing');
      } else if (alert.state === 'pending') {
        move(alert, 'inactive');
      } else if (now - alert.lastActiveAt >= this.rule.keepFiringForMs) {
        move(alert, 'resolved');
      }
    }
    for (const alert of [...this.alerts.values()]) {
      if (seen.has(alert.id)) continue;
      if (alert.state === 'pending') move(alert, 'inactive');
      else if (alert.state === 'firing' && now - alert.lastSeenAt >= timings.resolveMissingAfterMs && now - alert.lastActiveAt >= this.rule.keepFiringForMs) move(alert, 'resolved');
    }
    for (const alert of [...this.alerts.values()]) {
      if (alert.state === 'resolved' && now - alert.resolvedAt! > timings.keepResolvedMs) this.alerts.delete(alert.id);
    }
    return transitions;
  }
}
