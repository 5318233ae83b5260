/**
 * The catalog against what the real plugins record: for every catalog metric the running app
 * has, the same kind and unit, so the exported PromQL names what /metrics shows.
 */
import batching from '@plugboard/plugin-batching';
import { metricsReaderRef, prometheusNameOf } from '@plugboard/plugin-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { startAlertsApp, type AlertsApp } from '../__fixtures__/alertsApp.js';
import { METRIC_CATALOG } from './catalog.js';

let app: AlertsApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('METRIC_CATALOG', () => {
  it('matches the kind, unit and Prometheus name of the metrics the real plugins record', async () => {
    app = await startAlertsApp({}, { metrics: { system: { enabled: true } }, extraPlugins: [batching], keepSystemClock: true });
    const a = app;
    await a.db.sequelize.query(`INSERT INTO users (id, username) VALUES (1, 'ada')`);
    await a.kernel.fetch('/api/users/1');
    await a.kernel.fetch('/api/users/1');
    await a.alerts.evaluateNow();
    const families = (await a.kernel.get(metricsReaderRef).collect()).families;
    const checked: string[] = [];
    for (const [name, entry] of Object.entries(METRIC_CATALOG)) {
      const family = families.find((f) => f.name === name);
      if (!family) continue;
      checked.push(name);
      expect({ name, kind: family.kind, unit: family.unit, prometheusName: family.prometheusName }).toEqual({ name, kind: entry.kind, unit: entry.unit, prometheusName: prometheusNameOf(name, entry.unit, entry.kind) });
    }
    // The first lookup of the user is a miss, the second a hit.
    expect(checked).toEqual(
      expect.arrayContaining([
        'http.server.request.duration',
        'db.client.operation.duration',
        'process.cpu.time',
        'process.memory.usage',
        'plugboard.cache.hits',
        'plugboard.cache.misses',
        'plugboard.batch.queue_depth',
        'plugboard.alerts.evaluations',
      ]),
    );
  });
});
