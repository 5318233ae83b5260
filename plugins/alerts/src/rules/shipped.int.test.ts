/**
 * Rules shipped by a plugin through `shipAlertRules`: added when either side starts first, back
 * after the alerts plugin restarts, gone when the contributor stops, refused with the field named.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin } from '@plugboard/plugin-api';
import { alertsRef } from '../contract.js';
import { startAlertsApp, type AlertsApp } from '../__fixtures__/alertsApp.js';
import type { AlertRuleInput } from './schema.js';
import { alertRulesRef, shipAlertRules } from './shipped.js';

function shipper(rules: AlertRuleInput[]) {
  return definePlugin({
    name: 'shipper',
    version: '0.1.0',
    core: '^0.1.0',
    optionalConsumes: [alertRulesRef],
    setup(ctx) {
      shipAlertRules(ctx, rules);
    },
  });
}

const rule: AlertRuleInput = {
  name: 'ShipperRetries',
  expr: 'sum(rate(shipper.retries[5m]))',
  threshold: 1,
  metrics: { 'shipper.retries': { kind: 'counter', unit: '{retry}' } },
};

let app: AlertsApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const shippedRules = (a: AlertsApp) => a.kernel.get(alertsRef).rules().filter((r) => r.source === 'shipper');

describe('shipAlertRules', () => {
  it('adds the rules, keeps them across a restart of alerts, and removes them when the contributor stops', async () => {
    app = await startAlertsApp({}, { extraPlugins: [shipper([rule])] });
    const a = app;
    expect(shippedRules(a)).toMatchObject([{ name: 'ShipperRetries', source: 'shipper', promql: 'sum (rate(shipper_retries_total[5m])) > 1' }]);
    await a.kernel.kernel.disable('alerts', { cascade: true });
    await a.kernel.kernel.enable('alerts', { cascade: true });
    expect(shippedRules(a).map((r) => r.name)).toEqual(['ShipperRetries']);
    await a.kernel.kernel.disable('shipper');
    expect(shippedRules(a)).toEqual([]);
    await a.kernel.kernel.enable('shipper');
    expect(shippedRules(a).map((r) => r.name)).toEqual(['ShipperRetries']);
    // Reported as missing until the contributor records it, naming who gives it.
    await a.alerts.evaluateNow();
    expect(shippedRules(a)[0]).toMatchObject({ health: 'missing-metric', lastError: "metric 'shipper.retries' is not recorded: it comes from plugin 'shipper', which is running but has not recorded it yet" });
  });

  it('reaches an alerts plugin that starts after the contributor', async () => {
    app = await startAlertsApp({}, { extraPlugins: [shipper([rule])] });
    const a = app;
    await a.kernel.kernel.disable('alerts', { cascade: true });
    await a.kernel.kernel.enable('shipper');
    await a.kernel.kernel.enable('alerts');
    expect(shippedRules(a).map((r) => r.name)).toEqual(['ShipperRetries']);
  });

  it('refuses bad rules in the contributor\'s setup, naming the rule and field', async () => {
    await expect(startAlertsApp({}, { extraPlugins: [shipper([rule, { ...rule, name: 'Two', for: 'later' }, { ...rule, name: 'HighCpuLoad' }])] })).rejects.toThrow(
      "Invalid alert rules from 'shipper': rules[1].for: Invalid duration",
    );
  });
});
