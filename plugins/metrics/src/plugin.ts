/**
 * plugins/metrics: the one place the OpenTelemetry SDK is set up. Its setup installs a
 * MeterProvider and a TracerProvider (every plugin's ctx.meter and ctx.tracer follow them), serves
 * Prometheus text on the app's own port, exports OTLP when the environment asks, samples the main
 * series for the dashboard and alerts, and provides `metrics.reader`. Stopping it undoes all of
 * that and flushes the exporters, leaving the API a no-op.
 */
import { coreServices, definePlugin, type DatabaseService } from '@plugboard/plugin-api';
import { QueryTypes, type Sequelize } from 'sequelize';
import { metricsConfigSchema, millis, type MetricsConfig } from './config.js';
import { metricsReaderRef } from './contract.js';
import { instrumentDatabase, poolUsage } from './db/databaseMetrics.js';
import { metricsRoutes } from './http/routes.js';
import { MainSeriesSampler } from './overview/MainSeriesSampler.js';
import { SeriesHistory } from './overview/SeriesHistory.js';
import { SdkMetricsReader } from './reader/SdkMetricsReader.js';
import { createResource } from './sdk/resource.js';
import { createSdk } from './sdk/createSdk.js';
import { startSystemMetrics, type SystemMetrics } from './system/systemMetrics.js';
import { PLUGIN_VERSION } from './version.js';

export default definePlugin({
  name: 'metrics',
  version: PLUGIN_VERSION,
  core: '^0.1.0',
  provides: [metricsReaderRef],
  config: metricsConfigSchema,
  setup(ctx) {
    const config: MetricsConfig = ctx.config;
    const intervalMs = millis(config.history.interval, 'history.interval');
    const lengthMs = millis(config.history.length, 'history.length');
    const sdk = createSdk({
      resource: createResource(config),
      secondsBuckets: config.histogramBuckets,
      tracing: { ...config.tracing, slowWindowMs: millis(config.tracing.slowWindow, 'tracing.slowWindow') },
      exportIntervalMs: millis(config.otlp.exportInterval, 'otlp.exportInterval'),
      logger: ctx.logger,
    });
    sdk.install();
    ctx.onStop(() => sdk.uninstall());

    const sequelize = databaseOf(ctx.get(coreServices.database));
    let system: SystemMetrics | undefined;
    if (config.system.enabled) {
      system = startSystemMetrics(sdk.instruments, { dataDir: config.system.dataDir });
      ctx.onStop(() => system?.stop());
    }
    if (sequelize !== undefined) {
      const stop = instrumentDatabase(sequelize, {
        meter: sdk.instruments.getMeter('plugboard.metrics.db', PLUGIN_VERSION),
        tracer: sdk.tracerProvider?.getTracer('plugboard.metrics.db', PLUGIN_VERSION),
        slowQueryMs: millis(config.slowQueryThreshold, 'slowQueryThreshold'),
      });
      ctx.onStop(stop);
      if (system !== undefined) {
        const database = sequelize.getDatabaseName();
        ctx.tasks.schedule({
          name: 'database-size',
          every: config.system.databaseSizeInterval,
          runOnStart: true,
          run: async () => {
            const [row] = await sequelize.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size', { type: QueryTypes.SELECT });
            if (row !== undefined) system?.setDatabaseSize(Number(row.size), database);
          },
        });
      }
    }

    const history = new SeriesHistory(Math.max(1, Math.ceil(lengthMs / intervalMs)));
    const sampler = new MainSeriesSampler({
      eventLoopDelayP99Ms: () => system?.eventLoopDelayP99Ms() ?? null,
      gcPauseMsTotal: () => system?.gcPauseMsTotal() ?? null,
      pool: () => (sequelize === undefined ? undefined : poolUsage(sequelize)),
    });
    const reader = new SdkMetricsReader(sdk.reader, history, sampler, sdk.ring, intervalMs);
    ctx.tasks.schedule({
      name: 'sample',
      every: config.history.interval,
      runOnStart: true,
      run: async () => {
        system?.tick();
        await reader.sample();
      },
    });
    ctx.provide(metricsReaderRef, reader);
    metricsRoutes(ctx.http, reader, { prometheusPath: config.prometheus.enabled ? config.prometheus.path : undefined });
    ctx.logger.debug({ otlp: sdk.otlp, tracing: config.tracing.enabled }, 'OpenTelemetry SDK installed');
  },
});

/** The Sequelize of the database service, or undefined when the app runs without a database. */
function databaseOf(database: DatabaseService): Sequelize | undefined {
  try {
    return database.sequelize;
  } catch {
    return undefined;
  }
}
