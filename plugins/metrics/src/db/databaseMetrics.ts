/**
 * Database metrics and spans without patching anything: Sequelize's own `beforeQuery` and
 * `afterQuery` hooks time each statement (from when it is sent on its connection to when its
 * answer came, pool waits excluded) and the pool's counters are observed. Removed on stop.
 *
 * Sequelize runs `afterQuery` in a `finally` without saying whether the statement failed. A
 * failure is told by the connection instead: pg's connection emits `errorMessage` for each error
 * the server answers (with its SQLSTATE) and `error` when the socket fails, and a listener on
 * each connection counts them. A statement during which its connection counted one failed: its
 * point and span carry `error.type` (the SQLSTATE, or `connection_error`) and
 * `db.response.status_code`, and its span the status ERROR. The error's message is not kept: the
 * server writes values into some (`invalid input syntax for type integer: "abc"`).
 */
import { context, SpanKind, SpanStatusCode, type Context, type Meter, type Tracer } from '@opentelemetry/api';
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
  /** The points' attributes of a failed run, by error type; made on the first failure of each. */
  failed: Map<string, Readonly<Record<string, string>>>;
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
      failed: new Map(),
    };
    shapes.set(summary, shape);
  }
  return shape;
}

/** The error type of a failure with no SQLSTATE: the connection itself failed. */
const CONNECTION_ERROR = 'connection_error';

const errorAttributeSets = new Map<string, Readonly<Record<string, string>>>();

/** `error.type`, and `db.response.status_code` for an error the server answered. */
function errorAttributes(errorType: string): Readonly<Record<string, string>> {
  let attributes = errorAttributeSets.get(errorType);
  if (attributes === undefined) {
    const made: Record<string, string> = { 'error.type': errorType };
    if (errorType !== CONNECTION_ERROR) made['db.response.status_code'] = errorType;
    attributes = Object.freeze(made);
    errorAttributeSets.set(errorType, attributes);
  }
  return attributes;
}

/** The points' attributes of a failed run of `shape`; frozen, one set per shape and error type. */
function failedAttributes(shape: StatementShape, errorType: string): Readonly<Record<string, string>> {
  let attributes = shape.failed.get(errorType);
  if (attributes === undefined) {
    attributes = Object.freeze({ ...shape.attributes, ...errorAttributes(errorType) });
    shape.failed.set(errorType, attributes);
  }
  return attributes;
}

/** The errors one connection has met, counted by listeners on its pg connection. */
interface ConnectionErrors {
  count: number;
  /** The SQLSTATE of the last one, or `connection_error`. */
  last: string;
}

interface EmitterLike {
  on(event: string, listener: (err: unknown) => void): unknown;
  off(event: string, listener: (err: unknown) => void): unknown;
}

function isEmitter(value: unknown): value is EmitterLike {
  return typeof (value as EmitterLike | undefined)?.on === 'function' && typeof (value as EmitterLike).off === 'function';
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
  /** The errors of the statement's connection, and their count when it was sent. */
  errors: ConnectionErrors | undefined;
  errorsBefore: number;
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
  // By Sequelize's connection (a pg Client). The listeners are taken off when the connection ends
  // (the pool replaces connections over time) or on stop, whichever comes first.
  const connections = new WeakMap<object, ConnectionErrors>();
  const listening = new Map<EmitterLike, () => void>();
  const errorsOf = (connection: unknown): ConnectionErrors | undefined => {
    if (typeof connection !== 'object' || connection === null) return undefined;
    let errors = connections.get(connection);
    if (errors === undefined) {
      const emitter = (connection as { connection?: unknown }).connection;
      if (!isEmitter(emitter)) return undefined;
      const counted: ConnectionErrors = { count: 0, last: '' };
      const onMessage = (err: unknown): void => {
        const code = (err as { code?: unknown } | undefined)?.code;
        counted.count++;
        counted.last = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : CONNECTION_ERROR;
      };
      const onError = (): void => {
        counted.count++;
        counted.last = CONNECTION_ERROR;
      };
      const unlisten = (): void => {
        emitter.off('errorMessage', onMessage);
        emitter.off('error', onError);
        emitter.off('end', unlisten);
        listening.delete(emitter);
      };
      emitter.on('errorMessage', onMessage);
      emitter.on('error', onError);
      emitter.on('end', unlisten);
      listening.set(emitter, unlisten);
      connections.set(connection, counted);
      errors = counted;
    }
    return errors;
  };

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
    const errors = errorsOf((query as { connection?: unknown }).connection);
    started.set(query, {
      start: performance.now(),
      parent: tracer === undefined ? undefined : context.active(),
      errors,
      errorsBefore: errors?.count ?? 0,
    });
  };
  const after = (_options: unknown, query: object): void => {
    const entry = started.get(query);
    if (entry === undefined) return;
    const ended = performance.now();
    const seconds = (ended - entry.start) / 1000;
    const shape = shapeOf(String((query as { sql?: unknown }).sql ?? ''));
    const { errors } = entry;
    const errorType = errors !== undefined && errors.count !== entry.errorsBefore ? errors.last : undefined;
    const attributes = errorType === undefined ? shape.attributes : failedAttributes(shape, errorType);
    duration.record(seconds, attributes);
    if (seconds * 1000 >= slowQueryMs) slow.add(1, shape.attributes);
    if (tracer !== undefined && entry.parent !== undefined) {
      // Both times as HrTimes of timeOrigin + performance.now(), the clock of the server span
      // (core's spanTime.ts): given as plain performance.now() readings, the SDK would anchor
      // them at this span's own Date.now(), up to a millisecond off its parent's.
      const span = tracer.startSpan(shape.spanName, { kind: SpanKind.CLIENT, attributes: attributesOfSpan(shape), startTime: hrTime(entry.start) }, entry.parent);
      if (errorType !== undefined) {
        span.setAttributes(errorAttributes(errorType));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end(hrTime(ended));
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
    for (const unlisten of [...listening.values()]) unlisten();
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
