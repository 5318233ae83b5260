/**
 * Database metrics and spans without patching anything: Sequelize's own `beforeQuery` and
 * `afterQuery` hooks time each statement (from when it is sent on its connection to when its
 * answer came, pool waits excluded) and the pool's counters are observed. Removed on stop.
 * Sequelize runs `afterQuery` in a `finally`, so failed statements are timed too, but the hook
 * is not told whether the statement failed: spans and points carry no error status.
 */
import { context, SpanKind, type Context, type Meter, type Tracer } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import type { Sequelize } from 'sequelize';
import { summarizeSql, type SqlSummary } from './sql.js';

/** What is reported of one statement, made once per statement and reused for every run of it. */
interface StatementShape {
  /** The points' attributes: system, operation and collection. */
  attributes: Readonly<Record<string, string>>;
  spanName: string;
  /** The points' attributes and the normalised statement. */
  spanAttributes: Readonly<Record<string, string>>;
}

const shapes = new WeakMap<SqlSummary, StatementShape>();

function shapeOf(sql: string): StatementShape {
  const summary = summarizeSql(sql);
  let shape = shapes.get(summary);
  if (shape === undefined) {
    const { operation, collection, statement } = summary;
    const attributes: Record<string, string> = { 'db.system.name': 'postgresql', 'db.operation.name': operation };
    if (collection !== undefined) attributes['db.collection.name'] = collection;
    shape = {
      // Frozen: the histogram store finds it by identity (sdk/histograms.ts).
      attributes: Object.freeze(attributes),
      spanName: collection !== undefined ? `${operation} ${collection}` : operation,
      spanAttributes: { ...attributes, 'db.query.text': statement },
    };
    shapes.set(summary, shape);
  }
  return shape;
}

/** Hooks are removed by name: each instance its own, so a restarted plugin's stop leaves the new hooks alone. */
let instances = 0;

interface PoolLike {
  size: number;
  available: number;
  using: number;
  waiting: number;
  maxSize: number;
}

interface Started {
  /** `performance.now()` when the statement was sent. */
  start: number;
  /** The context the statement was sent in, the parent of its span; undefined while not tracing. */
  parent: Context | undefined;
}

/**
 * @example
 * const stop = instrumentDatabase(sequelize, { meter, tracer, slowQueryMs: 500 });
 * ctx.onStop(stop);
 */
export function instrumentDatabase(
  sequelize: Sequelize,
  options: { meter: Meter; tracer: Tracer | undefined; slowQueryMs: number },
): () => void {
  const { meter, tracer, slowQueryMs } = options;
  const namespace = sequelize.getDatabaseName();
  const duration = meter.createHistogram('db.client.operation.duration', {
    unit: 's',
    description: 'Duration of database client operations, from sending a statement to its answer.',
  });
  const slow = meter.createCounter('plugboard.db.slow_queries', {
    unit: '{query}',
    description: `Statements that took at least the configured slow-query threshold (${slowQueryMs} ms).`,
  });
  const started = new WeakMap<object, Started>();
  const hook = `plugboard-metrics-${++instances}`;

  // The span is made once the answer came, with its start time, name and every attribute known:
  // one SDK call instead of a start, a rename and a second attribute pass, and no span object
  // kept across the statement's await.
  const spanAttributes = new WeakMap<StatementShape, Readonly<Record<string, string>>>();
  const attributesOfSpan = (shape: StatementShape): Readonly<Record<string, string>> => {
    let attributes = spanAttributes.get(shape);
    if (attributes === undefined) {
      attributes = { ...shape.spanAttributes, 'db.namespace': namespace };
      spanAttributes.set(shape, attributes);
    }
    return attributes;
  };
  const before = (_options: unknown, query: object): void => {
    started.set(query, { start: performance.now(), parent: tracer === undefined ? undefined : context.active() });
  };
  const after = (_options: unknown, query: object): void => {
    const entry = started.get(query);
    if (entry === undefined) return;
    const ended = performance.now();
    const seconds = (ended - entry.start) / 1000;
    const shape = shapeOf(String((query as { sql?: unknown }).sql ?? ''));
    duration.record(seconds, shape.attributes);
    if (seconds * 1000 >= slowQueryMs) slow.add(1, shape.attributes);
    if (tracer !== undefined && entry.parent !== undefined) {
      // Both times as HrTimes of timeOrigin + performance.now(), the clock of the server span
      // (core's spanTime.ts): given as plain performance.now() readings, the SDK would anchor
      // them at this span's own Date.now(), up to a millisecond off its parent's.
      tracer.startSpan(shape.spanName, { kind: SpanKind.CLIENT, attributes: attributesOfSpan(shape), startTime: hrTime(entry.start) }, entry.parent).end(hrTime(ended));
    }
  };
  sequelize.addHook('beforeQuery', hook, before as never);
  sequelize.addHook('afterQuery', hook, after as never);

  const pool = (): PoolLike | undefined => {
    const candidate = (sequelize as unknown as { connectionManager?: { pool?: Partial<PoolLike> } }).connectionManager?.pool;
    return typeof candidate?.size === 'number' ? (candidate as PoolLike) : undefined;
  };
  const poolName = { 'db.client.connection.pool.name': `postgresql:${namespace}` };
  // The semantic conventions call this db.client.connection.count; as db_client_connection_count
  // Prometheus' lint (promtool check metrics) refuses it, a _count suffix being a histogram's.
  const count = meter.createObservableUpDownCounter('db.client.connection.usage', {
    unit: '{connection}',
    description: 'Connections of the pool, by state (idle or used).',
  });
  const pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
    unit: '{request}',
    description: 'Requests waiting for a connection of the pool.',
  });
  const max = meter.createObservableUpDownCounter('db.client.connection.max', {
    unit: '{connection}',
    description: 'The most connections the pool opens.',
  });
  const observe: Parameters<typeof meter.addBatchObservableCallback>[0] = (result) => {
    const p = pool();
    if (p === undefined) return;
    result.observe(count, p.available, { ...poolName, 'db.client.connection.state': 'idle' });
    result.observe(count, p.using, { ...poolName, 'db.client.connection.state': 'used' });
    result.observe(pending, p.waiting, poolName);
    result.observe(max, p.maxSize, poolName);
  };
  meter.addBatchObservableCallback(observe, [count, pending, max]);

  return () => {
    sequelize.removeHook('beforeQuery', hook);
    sequelize.removeHook('afterQuery', hook);
    meter.removeBatchObservableCallback(observe, [count, pending, max]);
  };
}

/**
 * The pool's used and pending counts, for the main series; undefined when there is no pool yet.
 *
 * @example
 * poolUsage(sequelize); // { used: 2, pending: 0 }
 */
export function poolUsage(sequelize: Sequelize): { used: number; pending: number } | undefined {
  const p = (sequelize as unknown as { connectionManager?: { pool?: Partial<PoolLike> } }).connectionManager?.pool;
  return typeof p?.using === 'number' && typeof p.waiting === 'number' ? { used: p.using, pending: p.waiting } : undefined;
}
