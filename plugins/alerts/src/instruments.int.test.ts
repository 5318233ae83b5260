/**
 * The plugin's own metrics through the real metrics plugin, and evaluation errors visible in the
 * API, the log and the metric.
 */
import { Writable } from 'node:stream';
import { definePlugin } from '@plugboard/plugin-api';
import { metricsReaderRef, type MetricFamily } from '@plugboard/plugin-metrics';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startAlertsApp, type AlertsApp } from './__fixtures__/alertsApp.js';
import { startReceiver, type Receiver } from './__fixtures__/receiver.js';
import { alertRulesRef, shipAlertRules } from './rules/shipped.js';

// Declares its metric a counter but records a gauge: every evaluation of its rule fails.
const confused = definePlugin({
  name: 'confused',
  version: '0.1.0',
  core: '^0.1.0',
  optionalConsumes: [alertRulesRef],
  setup(ctx) {
    ctx.meter.createObservableGauge('confused.level').addCallback((r) => r.observe(3));
    shipAlertRules(ctx, [{ name: 'ConfusedRate', expr: 'rate(confused.level[5m])', threshold: 1, metrics: { 'confused.level': { kind: 'counter' } } }]);
  },
});

let app: AlertsApp | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await app?.close();
  await receiver?.close();
  app = receiver = undefined;
});

const total = (f: MetricFamily | undefined, where: (attrs: Record<string, unknown>) => boolean = () => true): number =>
  (f?.points ?? []).filter((p) => where(p.attributes)).reduce((a, p) => a + (p.value ?? p.histogram?.count ?? 0), 0);

describe('plugboard.alerts.* metrics', () => {
  it('counts evaluations, errors, alerts by state and notifications', async () => {
    receiver = await startReceiver();
    receiver.failNext(100);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _e, cb) => void (lines.push(chunk.toString()), cb()) }));
    app = await startAlertsApp(
      { builtins: { HighBatchQueue: { for: '0s' } }, webhooks: [{ name: 'flaky', url: receiver.url, groupWait: '0s', retries: 1, retryMinDelay: '10ms', retryMaxDelay: '10ms' }] },
      { extraPlugins: [confused], logger },
    );
    const a = app;
    a.load.queueDepth = 5000;
    await a.step(0);
    await a.step(15_000);

    expect(a.alerts.rules().find((r) => r.name === 'ConfusedRate')).toMatchObject({ health: 'error', lastError: "'confused.level' is recorded as a gauge, and the rule takes its rate" });
    expect(lines.some((l) => l.includes("alert rule 'ConfusedRate' failed to evaluate: 'confused.level' is recorded as a gauge"))).toBe(true);
    // Deliveries retry on real time (p-retry): wait for the webhook to give up.
    await vi.waitFor(() => expect(lines.some((l) => l.includes("webhook 'flaky' delivery failed after 2 attempts"))).toBe(true));

    const families = (await a.kernel.get(metricsReaderRef).collect()).families;
    const family = (name: string) => families.find((f) => f.name === name);
    expect(total(family('plugboard.alerts.evaluations'), (x) => x['plugboard.alert.rule'] === 'HighBatchQueue')).toBe(2);
    expect(total(family('plugboard.alerts.evaluation.duration'), (x) => x['plugboard.alert.rule'] === 'HighBatchQueue')).toBe(2);
    expect(total(family('plugboard.alerts.evaluation_errors'), (x) => x['plugboard.alert.rule'] === 'ConfusedRate')).toBe(2);
    expect(total(family('plugboard.alerts.active'), (x) => x['plugboard.alert.state'] === 'firing')).toBe(1);
    expect(total(family('plugboard.alerts.notifications.failed'), (x) => x['plugboard.alert.receiver'] === 'flaky')).toBe(1);
    expect(family('plugboard.alerts.evaluations')!.prometheusName).toBe('plugboard_alerts_evaluations_total');
  });
});
