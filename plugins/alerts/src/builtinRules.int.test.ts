/**
 * Each built-in rule driven through pending, firing and resolved with real metric values: real
 * SDK instruments read by the real metrics plugin, real HTTP answers, real slow queries on
 * PostgreSQL, the real user cache, all on a test clock.
 */
import { coreServices } from '@plugboard/plugin-api';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertInstance } from './contract.js';
import { startAlertsApp, type AlertsApp } from './__fixtures__/alertsApp.js';

const S = 1000;
const MIN = 60 * S;
let app: AlertsApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const stateOf = (a: AlertsApp, rule: string): AlertInstance['state'] | 'inactive' => a.alerts.alerts().find((x) => x.rule === rule)?.state ?? 'inactive';

/** Steps a minute at a time (calling `each` before every step) until `rule` reaches `state`; returns the minutes taken. */
async function until(a: AlertsApp, rule: string, state: AlertInstance['state'], each: () => Promise<void> | void, maxMinutes = 30): Promise<number> {
  for (let m = 1; m <= maxMinutes; m++) {
    await each();
    await a.step(MIN);
    if (stateOf(a, rule) === state) return m;
  }
  throw new Error(`'${rule}' did not become ${state} within ${maxMinutes} minutes (is ${stateOf(a, rule)}; rule: ${JSON.stringify(a.alerts.rules().find((r) => r.name === rule))})`);
}

describe('built-in rules with real metrics', () => {
  it('HighMemoryUse: pending, firing after 5m, resolved when memory drops', async () => {
    app = await startAlertsApp();
    const a = app;
    a.load.memoryBytes = 2 * 1024 ** 3;
    await a.step(0);
    expect(a.alerts.alerts().find((x) => x.rule === 'HighMemoryUse')).toMatchObject({ state: 'pending', value: 2 * 1024 ** 3, annotations: { summary: 'The process uses 2.147483648e+09 bytes of memory' } });
    expect(await until(a, 'HighMemoryUse', 'firing', () => {})).toBe(5);
    a.load.memoryBytes = 200e6;
    expect(await until(a, 'HighMemoryUse', 'resolved', () => {})).toBe(1);
  });

  it('HighCpuLoad: 1.2 CPU-seconds per second fires after its window fills and 5m pass, then resolves', async () => {
    app = await startAlertsApp();
    const a = app;
    const busy = () => a.load.addCpuSeconds(72);
    const pendingAfter = await until(a, 'HighCpuLoad', 'pending', busy);
    const firingAfter = await until(a, 'HighCpuLoad', 'firing', busy);
    expect(firingAfter).toBe(5);
    expect(pendingAfter).toBeGreaterThan(1);
    expect(a.alerts.alerts().find((x) => x.rule === 'HighCpuLoad')!.value).toBeCloseTo(1.2, 5);
    await until(a, 'HighCpuLoad', 'resolved', () => a.load.addCpuSeconds(6));
  });

  it('SlowDatabaseQueries: real slow statements push the p95 over 500 ms; fast ones bring it back', async () => {
    app = await startAlertsApp({ builtins: { SlowDatabaseQueries: { for: '2m' } } });
    const a = app;
    const { sequelize } = a.kernel.get(coreServices.database);
    const slow = async () => {
      await Promise.all([1, 2, 3].map(() => sequelize.query('SELECT pg_sleep(0.6)')));
    };
    await until(a, 'SlowDatabaseQueries', 'pending', slow);
    const alert = a.alerts.alerts().find((x) => x.rule === 'SlowDatabaseQueries')!;
    expect(alert.value).toBeGreaterThan(0.5);
    expect(alert.labels.db_operation_name).toBe('SELECT');
    await until(a, 'SlowDatabaseQueries', 'firing', slow);
    const fast = async () => {
      for (let i = 0; i < 20; i++) await sequelize.query('SELECT 1');
    };
    await until(a, 'SlowDatabaseQueries', 'resolved', fast);
  }, 120_000);

  it('LowCacheHitRate: lookups of new users fire it, repeated lookups resolve it', async () => {
    app = await startAlertsApp({ builtins: { LowCacheHitRate: { for: '3m' } } });
    const a = app;
    const { sequelize } = a.kernel.get(coreServices.database);
    await sequelize.query(`INSERT INTO users (id, username) SELECT g, 'u' || g FROM generate_series(1, 400) g`);
    let next = 1;
    // Mostly new users (misses) and a few repeats (hits): with no hit at all the hits counter
    // would not exist, and the rule would report missing-metric, as Prometheus would find no series.
    const misses = async () => {
      for (let i = 0; i < 10; i++) expect((await a.kernel.fetch(`/api/users/${next++}`)).status).toBe(200);
      for (let i = 0; i < 2; i++) await a.kernel.fetch('/api/users/1');
    };
    await until(a, 'LowCacheHitRate', 'firing', misses);
    expect(a.alerts.alerts().find((x) => x.rule === 'LowCacheHitRate')!.value).toBeLessThan(0.5);
    const hits = async () => {
      for (let i = 0; i < 50; i++) await a.kernel.fetch('/api/users/1');
    };
    await until(a, 'LowCacheHitRate', 'resolved', hits);
  }, 120_000);

  it('HighBatchQueue: a queue over 1000 fires after 1m and resolves when it drains', async () => {
    app = await startAlertsApp();
    const a = app;
    a.load.queueDepth = 1500;
    expect(await until(a, 'HighBatchQueue', 'pending', () => {})).toBe(1);
    expect(await until(a, 'HighBatchQueue', 'firing', () => {})).toBe(1);
    expect(a.alerts.alerts().find((x) => x.rule === 'HighBatchQueue')!.annotations.summary).toBe('1500 conversations wait in the batch queue');
    a.load.queueDepth = 3;
    expect(await until(a, 'HighBatchQueue', 'resolved', () => {})).toBe(1);
  });

  it('ErrorSpike: a flood of 5xx answers fires it; it resolves once the window holds none', async () => {
    app = await startAlertsApp();
    const a = app;
    const flood = async () => {
      await Promise.all(Array.from({ length: 150 }, () => a.kernel.fetch('/api/load/fail')));
    };
    await until(a, 'ErrorSpike', 'pending', flood);
    await until(a, 'ErrorSpike', 'firing', flood);
    expect(a.alerts.alerts().find((x) => x.rule === 'ErrorSpike')).toMatchObject({ severity: 'critical', labels: { alertname: 'ErrorSpike', severity: 'critical' } });
    const calm = async () => {
      await Promise.all(Array.from({ length: 50 }, () => a.kernel.fetch('/api/load/ok')));
    };
    await until(a, 'ErrorSpike', 'resolved', calm);
    expect(a.alerts.rules().find((r) => r.name === 'ErrorSpike')).toMatchObject({ health: 'ok', promql: 'sum (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[5m])) > 1' });
  });
});
