/**
 * What other plugins (the dashboard, third-party plugins) use of plugins/alerts. This file is the
 * contract: the refs and the shapes they answer. The plugin implements it.
 */
import { serviceRef } from '@plugboard/plugin-api';

export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** One alert: a rule over one label set. */
export interface AlertInstance {
  /** Stable for the rule and label set. */
  id: string;
  rule: string;
  severity: AlertSeverity;
  state: Exclude<AlertState, 'inactive'>;
  /** The rule's labels and the series' labels, with `alertname` and `severity`. */
  labels: Readonly<Record<string, string>>;
  /** Rendered summary and description (and any other annotation), as plain text. */
  annotations: Readonly<Record<string, string>>;
  /** The last value the expression had for this label set. */
  value: number;
  /** ISO times: when it became pending, when it started firing, when it resolved. */
  activeAt: string;
  firedAt?: string;
  resolvedAt?: string;
  /** True while a silence or an inhibition mutes its notifications. */
  muted: boolean;
}

/** A rule with the outcome of its last evaluation. */
export interface RuleStatus {
  name: string;
  /** Where it came from: 'builtin', 'config' or the plugin that shipped it. */
  source: string;
  severity: AlertSeverity;
  /** The rule's expression in the rule syntax, and as PromQL over the names `/metrics` shows. */
  expression: string;
  promql: string;
  for: string;
  health: 'ok' | 'error' | 'missing-metric' | 'unknown';
  /** What went wrong on the last evaluation, or which metric is missing and which plugin gives it. */
  lastError?: string;
  lastEvaluation?: string;
  lastDurationMs?: number;
  /** Alerts of this rule that are pending or firing now. */
  active: number;
}

export interface SilenceMatcher {
  name: string;
  value: string;
  /** Default false: value is matched exactly. */
  isRegex?: boolean;
  /** Default true: the label must (not) equal / match the value. */
  isEqual?: boolean;
}

export interface Silence {
  id: string;
  matchers: readonly SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface SilenceInput {
  matchers: readonly SilenceMatcher[];
  /** ISO time; default now. */
  startsAt?: string;
  /** ISO time in the future. */
  endsAt: string;
  createdBy?: string;
  comment?: string;
}

/** What the alerts plugin provides as `alerts.engine`. */
export interface AlertsApi {
  /** Pending and firing alerts, then recently resolved ones, newest first. */
  alerts(): AlertInstance[];
  rules(): RuleStatus[];
  silences(): Silence[];
  /** Adds a silence; throws an `invalidArgument` PlugboardError naming the field for a bad one. */
  addSilence(input: SilenceInput): Silence;
  /** Expires a silence; false when there is none with that id. */
  removeSilence(id: string): boolean;
  /** Evaluates every rule now (after any evaluation already running) and hands the outcome to the notifiers. */
  evaluateNow(): Promise<void>;
}

export const alertsRef = serviceRef<AlertsApi>('alerts.engine', {
  description: 'Alert rules, their alerts and silences',
});
