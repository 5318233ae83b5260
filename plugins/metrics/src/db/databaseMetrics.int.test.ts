import { SpanStatusCode } from '@opentelemetry/api';
import { DataPointType, MeterProvider, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTestDatabase, type TestDatabase } from '@plugboard/core/testing';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InProcessReader } from '../reader/InProcessReader.js';
import { instrumentDatabase } from './databaseMetrics.js';

let db: TestDatabase;
let stop: () => void;
const spans = new InMemorySpanExporter();
const reader = new InProcessReader();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const meterProvider = new MeterProvider({ readers: [reader] });

const instrument = () => instrumentDatabase(db.sequelize, { meter: meterProvider.getMeter('test'), tracer: tracerProvider.getTracer('test'), slowQueryMs: 10_000 });

beforeAll(async () => {
  db = await createTestDatabase();
  stop = instrument();
});
afterAll(async () => {
  stop?.();
  await db?.close();
});

async function durationPoints(): Promise<HistogramMetricData['dataPoints']> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m): m is HistogramMetricData => m.descriptor.name === 'db.client.operation.duration' && m.dataPointType === DataPointType.HISTOGRAM);
  return metric?.dataPoints ?? [];
}

function spanOf(statement: string) {
  return spans.getFinishedSpans().find((s) => s.attributes['db.query.text'] === statement);
}

it('marks a statement the server refused as failed, with its SQLSTATE, and the next one on the connection as not', async () => {
  await expect(db.sequelize.query('SELECT * FROM no_such_table_here WHERE id = 1')).rejects.toThrow(/no_such_table_here/);
  await db.sequelize.query('SELECT 1 AS fine');

  const failed = spanOf('SELECT * FROM no_such_table_here WHERE id = ?');
  expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
  // No message: the server writes values into some of them.
  expect(failed?.status.message).toBeUndefined();
  expect(failed?.attributes).toMatchObject({ 'error.type': '42P01', 'db.response.status_code': '42P01', 'db.collection.name': 'no_such_table_here' });
  const fine = spanOf('SELECT ? AS fine');
  expect(fine?.status.code).toBe(SpanStatusCode.UNSET);
  expect(fine?.attributes['error.type']).toBeUndefined();

  const points = await durationPoints();
  const failedPoint = points.find((p) => p.attributes['db.collection.name'] === 'no_such_table_here');
  expect(failedPoint?.attributes).toEqual({
    'db.system.name': 'postgresql',
    'db.operation.name': 'SELECT',
    'db.collection.name': 'no_such_table_here',
    'error.type': '42P01',
    'db.response.status_code': '42P01',
  });
  expect(points.filter((p) => p.attributes['error.type'] === undefined).length).toBeGreaterThan(0);
});

it('takes its listeners off the connections on stop', async () => {
  const counts = await db.sequelize.transaction(async (transaction) => {
    await db.sequelize.query('SELECT 2 AS listened', { transaction });
    const connection = (transaction as unknown as { connection: { connection: { listenerCount(event: string): number } } }).connection.connection;
    const before = connection.listenerCount('errorMessage');
    stop();
    return { before, after: connection.listenerCount('errorMessage') };
  });
  expect(counts.after).toBe(counts.before - 1);
  // Stopped: a failure is no longer recorded.
  spans.reset();
  await expect(db.sequelize.query('SELECT * FROM no_such_table_here')).rejects.toThrow();
  expect(spans.getFinishedSpans()).toHaveLength(0);
  stop = instrument();
});

it('marks a statement whose session was ended under it as failed', async () => {
  // Sequelize runs statements outside a transaction on connections of their own: the lookup and
  // the termination do not queue behind the sleep.
  const sleeping = db.sequelize.query("SELECT pg_sleep(30), 'terminated' AS tag");
  let pid: number | undefined;
  for (let i = 0; i < 100 && pid === undefined; i++) {
    const rows = await db.sequelize.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'", { type: QueryTypes.SELECT });
    pid = rows[0]?.pid;
    if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(pid).toBeDefined();
  await db.sequelize.query('SELECT pg_terminate_backend(:pid)', { replacements: { pid } });
  await expect(sleeping).rejects.toThrow();
  const span = spanOf('SELECT pg_sleep(?), ? AS tag');
  expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  // 57P01 (admin_shutdown) when the server's goodbye arrived, connection_error when only the socket's end did.
  expect(['57P01', 'connection_error']).toContain(span?.attributes['error.type']);
});
