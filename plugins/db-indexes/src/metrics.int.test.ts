import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { installMeterProvider } from '@plugboard/plugin-api';
import { createTestDatabase, startTestKernel, type TestDatabase } from '@plugboard/core/testing';
import conversations from '@plugboard/plugin-conversations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbIndexesOpsRef, dbIndexesRef } from './contract.js';
import dbIndexes from './plugin.js';
import { eventually } from './testSupport.js';

/** Points of `name` in what the reader collected: value and attributes. */
function points(collected: ResourceMetrics, name: string): { value: unknown; attributes: Record<string, unknown> }[] {
  return collected.scopeMetrics
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints.map((p) => ({ value: p.value, attributes: p.attributes as Record<string, unknown> })));
}

let db: TestDatabase;
let provider: MeterProvider;
let reader: PeriodicExportingMetricReader;
beforeAll(async () => {
  db = await createTestDatabase();
  reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 60_000 });
  provider = new MeterProvider({ readers: [reader] });
  installMeterProvider(provider);
});
afterAll(async () => {
  installMeterProvider(undefined);
  await provider.shutdown();
  await db.close();
});

describe('metrics', () => {
  it('count index builds by outcome, maintenance runs, and report cache hit rates and findings by kind', async () => {
    const app = await startTestKernel({ plugins: [conversations, dbIndexes], database: db });
    try {
      await app.get(dbIndexesOpsRef).maintain('analyze');
      await db.sequelize.query('CREATE TABLE tickets (id serial PRIMARY KEY)');
      await db.sequelize.query("SELECT setval('tickets_id_seq', 2000000000)");
      await db.sequelize.query('INSERT INTO tickets DEFAULT VALUES');
      await db.sequelize.query('SELECT count(*) FROM tickets');
      // A backend that goes idle soon after its last flush sends its statistics up to 10 s later.
      await eventually(async () => {
        const rates = (await app.get(dbIndexesRef).report({ analyzeQueries: false })).cacheHitRates;
        return rates?.index !== undefined && rates.table !== undefined ? true : undefined;
      }, 400);
      const { resourceMetrics } = await reader.collect();
      expect(points(resourceMetrics, 'plugboard.db.index_builds')).toEqual([{ value: 8, attributes: { outcome: 'created' } }]);
      const durations = points(resourceMetrics, 'plugboard.db.index_build.duration');
      expect((durations[0]?.value as { count: number }).count).toBe(8);
      expect(points(resourceMetrics, 'plugboard.db.maintenance.runs').map((p) => [p.attributes['table'], p.value])).toEqual([
        ['users', 1],
        ['conversations', 1],
      ]);
      expect(points(resourceMetrics, 'plugboard.db.findings')).toContainEqual({ value: 1, attributes: { kind: 'sequence-overflow', severity: 'warning' } });
      const rates = points(resourceMetrics, 'plugboard.db.cache_hit_ratio');
      expect(rates.map((p) => p.attributes['kind']).sort()).toEqual(['index', 'table']);
      // Ratios of blocks found in the cache: after the test's reads, above 0 and at most 1.
      for (const p of rates) {
        expect(p.value as number).toBeGreaterThan(0);
        expect(p.value as number).toBeLessThanOrEqual(1);
      }
    } finally {
      await app.stop();
    }
  });
});
