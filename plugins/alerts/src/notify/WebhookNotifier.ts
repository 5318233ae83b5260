/**
 * A webhook receiver with Alertmanager's grouping and timing: alerts are grouped by `groupBy`
 * labels; a new group is sent after `groupWait`, then checked every `groupInterval` and sent when
 * it changed (an alert fired or resolved), or after `repeatInterval` when it did not. Muted alerts
 * (silenced, inhibited) are left out. The payload is Alertmanager's webhook format, version 4.
 * A failed delivery is retried with exponential backoff (p-retry); timers run on the engine clock.
 */
import { createHash } from 'node:crypto';
import { parseDuration, type Clock, type ClockTimer } from '@plugboard/plugin-api';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { WebhookConfig } from '../config.js';
import type { AlertInstance } from '../contract.js';
import type { EvaluationOutcome, Notifier } from '../engine/AlertEngine.js';
import type { AlertsInstruments } from '../instruments.js';
import { generatorUrlOf } from './AlertmanagerNotifier.js';

/** Alertmanager's webhook payload, version 4. */
export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: {
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
    generatorURL: string;
    fingerprint: string;
  }[];
}

interface Group {
  key: string;
  labels: Record<string, string>;
  /** Alerts in the group now: firing and unmuted, or resolved after having been sent as firing. */
  alerts: Map<string, AlertInstance>;
  /** Ids sent as firing in the last notification. */
  sentFiring: Set<string>;
  lastSentAt?: number;
  timer?: ClockTimer;
}

function common(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  if (maps.length === 0) return {};
  return Object.fromEntries(Object.entries(maps[0]!).filter(([k, v]) => maps.every((m) => m[k] === v)));
}

export class WebhookNotifier implements Notifier {
  private readonly groups = new Map<string, Group>();
  private readonly groupWaitMs: number;
  private readonly groupIntervalMs: number;
  private readonly repeatIntervalMs: number;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly config: WebhookConfig,
    private readonly deps: { clock: Clock; logger: Logger; instruments?: AlertsInstruments; externalUrl: string },
  ) {
    this.groupWaitMs = parseDuration(config.groupWait, 'groupWait');
    this.groupIntervalMs = parseDuration(config.groupInterval, 'groupInterval');
    this.repeatIntervalMs = parseDuration(config.repeatInterval, 'repeatInterval');
  }

  private groupOf(alert: AlertInstance): { key: string; labels: Record<string, string> } {
    const labels = this.config.groupBy.includes('...')
      ? { ...alert.labels }
      : Object.fromEntries(this.config.groupBy.filter((l) => alert.labels[l] !== undefined).map((l) => [l, alert.labels[l]!]));
    // Alertmanager's form: `{}:{alertname="Deep"}`.
    const inner = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ');
    return { key: `{}:{${inner}}`, labels };
  }

  notify(outcome: EvaluationOutcome): void {
    if (this.stopped) return;
    const current = new Map<string, AlertInstance>(outcome.alerts.filter((a) => a.state === 'firing' && !a.muted).map((a) => [a.id, a]));
    const byId = new Map(outcome.alerts.map((a) => [a.id, a]));
    for (const group of this.groups.values()) {
      for (const id of [...group.alerts.keys()]) {
        if (current.has(id)) continue;
        const latest = byId.get(id);
        if (latest?.muted) {
          // Muted (silenced, inhibited): no longer notified, and not resolved either, as in
          // Alertmanager; once unmuted it counts as new for its group.
          group.alerts.delete(id);
          group.sentFiring.delete(id);
        } else if (group.sentFiring.has(id) && (!latest || latest.state === 'resolved')) {
          // Sent as firing and now resolved (or gone): kept to tell the receiver.
          const resolvedAt = latest?.resolvedAt ?? new Date(outcome.now).toISOString();
          group.alerts.set(id, { ...(latest ?? group.alerts.get(id)!), state: 'resolved', resolvedAt });
        } else group.alerts.delete(id);
      }
    }
    for (const alert of current.values()) {
      const { key, labels } = this.groupOf(alert);
      let group = this.groups.get(key);
      if (!group) {
        group = { key, labels, alerts: new Map(), sentFiring: new Set() };
        this.groups.set(key, group);
      }
      group.alerts.set(alert.id, alert);
      if (!group.timer) {
        const g = group;
        g.timer = this.deps.clock.setTimeout(() => this.flush(g), this.groupWaitMs);
      }
    }
  }

  /** Sends the group if it changed or is due for a repeat, then checks again after groupInterval. */
  private flush(group: Group): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    const firing = [...group.alerts.values()].filter((a) => a.state === 'firing');
    const resolved = [...group.alerts.values()].filter((a) => a.state === 'resolved');
    const changed = firing.some((a) => !group.sentFiring.has(a.id)) || resolved.length > 0;
    const due = group.lastSentAt === undefined || now - group.lastSentAt >= this.repeatIntervalMs;
    const sendable = firing.length > 0 || (resolved.length > 0 && this.config.sendResolved);
    if (sendable && (changed || (due && firing.length > 0))) {
      this.send(group, [...firing, ...(this.config.sendResolved ? resolved : [])], now);
      group.lastSentAt = now;
      group.sentFiring = new Set(firing.map((a) => a.id));
    }
    for (const a of resolved) group.alerts.delete(a.id);
    if (firing.length === 0 && group.alerts.size === 0) {
      this.groups.delete(group.key);
      group.timer = undefined;
      return;
    }
    group.timer = this.deps.clock.setTimeout(() => this.flush(group), this.groupIntervalMs);
  }

  /** The version-4 payload for `alerts` of `group`. */
  payloadOf(group: { key: string; labels: Record<string, string> }, alerts: readonly AlertInstance[], now: number): WebhookPayload {
    const status = alerts.some((a) => a.state === 'firing') ? 'firing' : 'resolved';
    return {
      version: '4',
      groupKey: group.key,
      truncatedAlerts: 0,
      status,
      receiver: this.config.name,
      groupLabels: group.labels,
      commonLabels: common(alerts.map((a) => a.labels)),
      commonAnnotations: common(alerts.map((a) => a.annotations)),
      externalURL: this.deps.externalUrl,
      alerts: alerts.map((a) => ({
        status: a.state === 'resolved' ? 'resolved' : 'firing',
        labels: { ...a.labels },
        annotations: { ...a.annotations },
        startsAt: a.firedAt ?? a.activeAt,
        endsAt: a.state === 'resolved' ? (a.resolvedAt ?? new Date(now).toISOString()) : '0001-01-01T00:00:00Z',
        generatorURL: generatorUrlOf(this.deps.externalUrl, a),
        fingerprint: createHash('sha256').update(a.id).digest('hex').slice(0, 16),
      })),
    };
  }

  private send(group: Group, alerts: AlertInstance[], now: number): void {
    const body = JSON.stringify(this.payloadOf(group, alerts, now));
    const timeout = parseDuration(this.config.timeout, 'timeout');
    const attempt = async (): Promise<void> => {
      const res = await fetch(this.config.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeout) });
      if (!res.ok) throw new Error(`the receiver answered ${res.status}`);
    };
    const delivery = pRetry(attempt, {
      retries: this.config.retries,
      factor: 2,
      minTimeout: parseDuration(this.config.retryMinDelay, 'retryMinDelay'),
      maxTimeout: parseDuration(this.config.retryMaxDelay, 'retryMaxDelay'),
      shouldRetry: () => !this.stopped,
      onFailedAttempt: (err) => this.deps.logger.warn({ receiver: this.config.name, attempt: err.attemptNumber, retriesLeft: err.retriesLeft }, `webhook '${this.config.name}' delivery failed: ${err.message}`),
    }).then(
      () => this.deps.instruments?.notified(this.config.name, 'webhook', true),
      (err: unknown) => {
        this.deps.instruments?.notified(this.config.name, 'webhook', false);
        this.deps.logger.error({ err, receiver: this.config.name }, `webhook '${this.config.name}' delivery failed after ${this.config.retries + 1} attempts; the group is sent again at its next change or repeat`);
      },
    );
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Resolves once every delivery started so far has succeeded or given up. */
  async idle(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  stop(): void {
    this.stopped = true;
    for (const g of this.groups.values()) g.timer?.cancel();
  }
}
