/**
 * Pushes alerts to an Alertmanager the way Prometheus does: after every evaluation, every firing
 * alert with `endsAt` renewed a few intervals ahead (so Alertmanager resolves it by itself if this
 * process goes away), and each resolved alert with its resolution time while it is still listed.
 * Alertmanager then groups, silences, inhibits and routes them with its own config.
 */
import type { Logger } from 'pino';
import type { AlertInstance } from '../contract.js';
import type { EvaluationOutcome, Notifier } from '../engine/AlertEngine.js';
import type { AlertsInstruments } from '../instruments.js';

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** The link back to the rule, as Prometheus' generatorURL. */
export function generatorUrlOf(externalUrl: string, alert: AlertInstance): string {
  return `${externalUrl.replace(/\/$/, '')}/api/alerts/rules?rule=${encodeURIComponent(alert.rule)}`;
}

/** Alerts as Alertmanager's API takes them; `endsAt` of firing ones is `now + validForMs`. */
export function toAlertmanagerAlerts(alerts: readonly AlertInstance[], now: number, validForMs: number, externalUrl: string): AlertmanagerAlert[] {
  return alerts
    .filter((a) => a.state === 'firing' || a.state === 'resolved')
    .map((a) => ({
      labels: { ...a.labels },
      annotations: { ...a.annotations },
      startsAt: a.firedAt ?? a.activeAt,
      endsAt: a.state === 'resolved' ? a.resolvedAt! : new Date(now + validForMs).toISOString(),
      generatorURL: generatorUrlOf(externalUrl, a),
    }));
}

export interface AlertmanagerNotifierOptions {
  url: string;
  timeoutMs: number;
  externalUrl: string;
  intervalMs: number;
  logger: Logger;
  instruments?: AlertsInstruments;
}

export class AlertmanagerNotifier implements Notifier {
  constructor(private readonly options: AlertmanagerNotifierOptions) {}

  async notify(outcome: EvaluationOutcome): Promise<void> {
    // Prometheus: 4 x max(evaluation interval, resend delay of 1m).
    const validFor = 4 * Math.max(this.options.intervalMs, 60_000);
    const alerts = toAlertmanagerAlerts(outcome.alerts, outcome.now, validFor, this.options.externalUrl);
    if (alerts.length === 0) return;
    const url = `${this.options.url.replace(/\/$/, '')}/api/v2/alerts`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (!res.ok) throw new Error(`Alertmanager answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      this.options.instruments?.notified(shownUrl(this.options.url), 'alertmanager', true);
    } catch (err) {
      // The next evaluation sends every alert again, as Prometheus does; no retry queue needed.
      const shown = shownUrl(this.options.url);
      this.options.instruments?.notified(shown, 'alertmanager', false);
      this.options.logger.warn({ err, url: shown }, `could not push ${alerts.length} alert(s) to Alertmanager at ${shown}; they are sent again after the next evaluation`);
    }
  }
}

/** `url` without user name, password or query, fit for logs and metric attributes. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}
