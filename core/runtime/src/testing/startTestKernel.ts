import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { stringify } from 'yaml';
import type { Clock, DatabaseService, PluginDefinition, ProviderRegistration, ServiceRef } from '@plugboard/plugin-api';
import { bootKernel } from '../host/bootKernel.js';
import { createHttpApp } from '../http/createHttpApp.js';
import { startHttpServer, type RunningServer } from '../http/server.js';
import type { Kernel } from '../kernel/Kernel.js';
import { loadConfig } from '../kernel/loadConfig.js';
import { CORE_VERSION } from '../version.js';
import { recordMetrics, type MetricsRecorder, type RecordedMetric } from './recordedMetrics.js';

export interface TestKernelOptions {
  /** The plugins to run, started in dependency order. */
  plugins: PluginDefinition<any>[];
  /** Each plugin's config section, by plugin name, validated by its schema as in a config file. */
  config?: Record<string, Record<string, unknown>>;
  /** Provided as `core.database`; plugins' migrations run on it before their setup. */
  database?: DatabaseService;
  /** Largest request body for `fetch`, in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Default: a silent logger. */
  logger?: Logger;
  /**
   * Given as `coreServices.clock` and used by the kernel's task scheduler: pass a `TestClock` to
   * run tasks and alert rules with `clock.advance('5m')`. Default: the system clock.
   */
  clock?: Clock;
  /**
   * Installs an OpenTelemetry SDK MeterProvider for the process, read by `metrics()`, and removes
   * it on `stop()`. The provider is global: run such tests one at a time within a file (vitest's
   * default) and do not enable the metrics plugin beside it. Default false.
   */
  metrics?: boolean;
}

export interface TestKernel {
  kernel: Kernel;
  /** The live handle of any ref. */
  get<T extends object>(ref: ServiceRef<T>): T;
  /** Registers a provider owned by `'test'`. */
  provide<T extends object>(ref: ServiceRef<T>, impl: T, options?: { ranking?: number }): ProviderRegistration<T>;
  /** Sends a request through the same HTTP stack as the server (JSON errors, body limit, dispatch). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /**
   * Serves the same app on a real HTTP server at 127.0.0.1 on a free port and resolves with its
   * base URL (`http://127.0.0.1:40123`); `stop()` closes it. Calling it again returns the same URL.
   */
  listen(): Promise<string>;
  /**
   * The metrics recorded since the kernel started, collected now (needs `metrics: true`): one
   * entry per metric and instrumentation scope, each with its series and their values.
   */
  metrics(): Promise<RecordedMetric[]>;
  /**
   * The value of one series: the point of metric `name` whose attributes include every one of
   * `attributes`. A number for counters and gauges, a histogram's `{ count, sum, ... }`, or
   * undefined when nothing matching was recorded. Needs `metrics: true`.
   */
  metricValue(name: string, attributes?: Record<string, string | number | boolean>): Promise<RecordedMetric['points'][number]['value'] | undefined>;
  /** Stops the plugins, the HTTP server of `listen()` and the metrics provider (the database is the caller's to close). */
  stop(): Promise<void>;
}

/**
 * Runs plugins in a real kernel for an integration test: config validated by each plugin's
 * schema, migrations applied, routes served through the host's HTTP stack.
 *
 * @example
 * const db = await createTestDatabase();
 * const app = await startTestKernel({ plugins: [conversations], database: db });
 * const res = await app.fetch('/api/users/1');
 * await app.stop();
 * await db.close();
 */
export async function startTestKernel(options: TestKernelOptions): Promise<TestKernel> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const dir = await mkdtemp(join(tmpdir(), 'plugboard-test-'));
  const path = join(dir, 'plugboard.yaml');
  const plugins = Object.fromEntries(options.plugins.map((p) => [p.name, options.config?.[p.name] ?? {}]));
  await writeFile(path, stringify({ logging: { level: 'silent' }, plugins }));
  const byName = new Map(options.plugins.map((p) => [p.name, p]));
  const config = await loadConfig({
    path,
    projectRoot: dir,
    coreVersion: CORE_VERSION,
    env: {},
    resolve: async (name) => ({ definition: byName.get(name)!, source: `test:${name}` }),
  }).finally(() => rm(dir, { recursive: true, force: true }));

  const database = options.database;
  // The same wiring as the app host: a test boots what users run.
  const { kernel } = bootKernel({ config, logger, ...(database ? { database } : {}), ...(options.clock ? { clock: options.clock } : {}) });
  const app = createHttpApp({ kernel, logger, bodyLimit: options.bodyLimit ?? 1_048_576, ...(database ? { database } : {}) });
  // Installed before the start, so instruments made in the plugins' setup record from the first call.
  const recorder: MetricsRecorder | undefined = options.metrics === true ? recordMetrics() : undefined;
  try {
    await kernel.start();
  } catch (err) {
    await recorder?.close();
    throw err;
  }
  let server: Promise<RunningServer> | undefined;
  const collect = async (): Promise<RecordedMetric[]> => {
    if (!recorder) throw new Error('No metrics are recorded: start the test kernel with startTestKernel({ ..., metrics: true }).');
    return recorder.collect();
  };
  return {
    kernel,
    get: (ref) => kernel.registry.handle(ref),
    provide: (ref, impl, provideOptions = {}) => kernel.registry.register(ref, impl, { owner: 'test', ...provideOptions }),
    fetch: async (p, init) => app.request(p, init),
    listen: async () => {
      server ??= startHttpServer(app, { host: '127.0.0.1', port: 0, logger });
      return (await server).url;
    },
    metrics: collect,
    metricValue: async (name, attributes = {}) => {
      const wanted = Object.entries(attributes);
      for (const metric of await collect()) {
        if (metric.name !== name) continue;
        const point = metric.points.find((p) => wanted.every(([key, value]) => p.attributes[key] === value));
        if (point) return point.value;
      }
      return undefined;
    },
    stop: async () => {
      try {
        if (server) await (await server).close({ graceMs: 1000 });
        await kernel.stop();
      } finally {
        await recorder?.close();
      }
    },
  };
}
