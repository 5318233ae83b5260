/**
 * One definition, two engines. A rule from the config runs in process and, exported, in a real
 * Prometheus scraping the app's /metrics. Real load (slow statements on PostgreSQL through the
 * app's own instrumented connection) makes it fire in both; both resolve when the load stops. The
 * in-process engine's notifications reach a real Alertmanager, which lists the alert.
 */
import { coreServices } from '@plugboard/plugin-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from './config.js';
import { prometheusRuleFile } from './export/prometheusRules.js';
import { assembleRules } from './rules/ruleSet.js';
import { startAlertsApp, type AlertsApp } from './__fixtures__/alertsApp.js';
import { startAlertmanager, startPrometheus, type ExternalProcess } from './__fixtures__/externalProcess.js';

const RULE = {
  name: 'SlowQueriesNow',
  expr: 'histogram_quantile(0.95, sum by (db.operation.name) (rate(db.client.operation.duration[10s])))',
  op: '>',
  threshold: 0.2,
  for: '2s',
  annotations: { summary: 'p95 of {{ $labels.db_operation_name }} is {{ printf "%.2f" $value }}s' },
};
const NO_BUILTINS = Object.fromEntries(['HighMemoryUse', 'HighCpuLoad', 'SlowDatabaseQueries', 'LowCacheHitRate', 'HighBatchQueue', 'ErrorSpike'].map((n) => [n, { enabled: false }]));

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function prometheusState(url: string): Promise<string | undefined> {
  const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
  return body.data.alerts.find((a) => a.labels.alertname === RULE.name)?.state;
}

describe('one definition, two engines', () => {
  it('fires in process and in Prometheus under slow queries, notifies Alertmanager, and resolves in both', async () => {
    const am: ExternalProcess = await startAlertmanager();
    cleanup.push(() => am.stop());
    const alertsConfig = { evaluationInterval: '1s', rules: [RULE], builtins: NO_BUILTINS, alertmanagers: [{ url: am.url }] };
    const app: AlertsApp = await startAlertsApp(alertsConfig, { keepSystemClock: true });
    cleanup.push(() => app.close());
    // The harness's real HTTP server (closed by app.kernel.stop()), for Prometheus to scrape.
    const host = new URL(await app.kernel.listen()).host;
    const rules = prometheusRuleFile(assembleRules(configSchema.parse(alertsConfig), new Map()), { intervalMs: 1000 });
    const prometheus = await startPrometheus(host, rules);
    cleanup.push(() => prometheus.stop());

    const { sequelize } = app.kernel.get(coreServices.database);
    let loading = true;
    const load = (async () => {
      while (loading) await Promise.all([1, 2, 3].map(() => sequelize.query('SELECT pg_sleep(0.3)')));
    })();
    cleanup.push(async () => {
      loading = false;
      await load;
    });

    const inProcess = () => app.alerts.alerts().find((a) => a.rule === RULE.name)?.state;
    await vi.waitFor(
      async () => {
        expect(inProcess()).toBe('firing');
        expect(await prometheusState(prometheus.url)).toBe('firing');
      },
      { timeout: 60_000, interval: 500 },
    );
    const alert = app.alerts.alerts().find((a) => a.rule === RULE.name)!;
    expect(alert.labels).toEqual({ alertname: RULE.name, severity: 'warning', db_operation_name: 'SELECT' });
    expect(alert.value).toBeGreaterThan(0.2);
    await vi.waitFor(
      async () => {
        const listed = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as { labels: Record<string, string>; status: { state: string } }[];
        expect(listed.find((a) => a.labels.alertname === RULE.name)?.status.state).toBe('active');
      },
      { timeout: 10_000, interval: 250 },
    );

    loading = false;
    await load;
    await vi.waitFor(
      async () => {
        expect(inProcess()).toBe('resolved');
        expect(await prometheusState(prometheus.url)).toBeUndefined();
      },
      { timeout: 60_000, interval: 500 },
    );
  }, 180_000);
});
