/**
 * The dashboard plugin: `/dashboard` and what it needs, every source optional.
 */
import type { MiddlewareHandler } from 'hono';
import { compress } from 'hono/compress';
import { coreServices, definePlugin, type PluginContext } from '@plugboard/plugin-api';
import { alertsRef } from '@plugboard/plugin-alerts';
import { conversationServiceRef, type ModelUsage } from '@plugboard/plugin-conversations';
import { dbIndexesRef } from '@plugboard/plugin-db-indexes';
import { MAIN_SERIES, metricsReaderRef, type MetricsOverview } from '@plugboard/plugin-metrics';
import { checkAccess, needsToken, requireAccess } from './access.js';
import { loadAssets } from './assets.js';
import { CHARTS } from './charts.js';
import { dashboardConfigSchema, type DashboardConfig } from './config.js';
import { readFleet } from './fleet.js';
import { renderPage } from './page.js';
import { readSource, readSourceAsync, type DashboardSources, type Source } from './sources.js';
import { readSection, readState, swapLog } from './state.js';
import { round, StreamHub } from './StreamHub.js';
import { serveStream } from './stream.js';

/** Content-Security-Policy of every dashboard answer: nothing inline, nothing from elsewhere. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const MAX_STREAMS = 100;

function setup(ctx: PluginContext<DashboardConfig>): void {
  const config = ctx.config;
  const runtime = ctx.get(coreServices.runtime);
  const conversations = ctx.get(conversationServiceRef);
  let models: Source<{ since: string; models: ModelUsage[] } | null> = { available: true, value: null };
  const sources: DashboardSources = {
    runtime,
    metrics: ctx.get(metricsReaderRef),
    alerts: ctx.get(alertsRef),
    dbIndexes: ctx.get(dbIndexesRef),
    models: () => models,
  };
  // A database read, so not on the stream's timer: a task refreshes it and the stream sends it.
  ctx.tasks.schedule({
    name: 'models',
    every: config.modelsEvery,
    runOnStart: true,
    timeout: '10s',
    run: async () => {
      const to = new Date();
      const from = new Date(to.getTime() - 3_600_000);
      models = await readSourceAsync(runtime, 'conversations', 'AI model figures', async () => ({
        since: from.toISOString(),
        models: await conversations.modelAnalytics({ from, to }),
      }));
    },
  });
  const swaps = swapLog();
  ctx.onStop(runtime.onServiceEvent((event) => swaps.record(event, Date.now())));
  const assets = loadAssets();

  const overview = (): MetricsOverview | undefined => {
    const read = readSource(runtime, 'metrics', 'charts', () => sources.metrics.overview());
    return read.available ? read.value : undefined;
  };
  const hub = new StreamHub({
    intervalMs: config.streamInterval,
    overview,
    section: (name) => readSection(sources, swaps.rows, config.traces, name),
    onError: (err) => ctx.logger.error({ err }, 'The dashboard could not read its state for the stream; it tries again next interval.'),
  });
  ctx.onStop(() => hub.stop());

  const http = ctx.http;
  http.use('/dashboard', headers);
  http.use('/dashboard/*', headers);
  const access = requireAccess(runtime, config.public);

  http.get('/dashboard', (c) => {
    const locked = needsToken(runtime, config.public) && checkAccess(c, runtime, config.public) !== 'ok';
    const metrics = readSource(runtime, 'metrics', 'charts', () => sources.metrics.overview());
    return c.html(
      renderPage({
        state: locked ? undefined : readState(sources, swaps.rows, config.traces),
        overview: locked || !metrics.available ? undefined : metrics.value,
        metricsOff: !locked && !metrics.available ? metrics.reason : undefined,
        needsToken: needsToken(runtime, config.public),
        adminEnabled: runtime.server().adminEnabled,
        intervalMs: config.streamInterval,
        fleet: config.prometheusUrl !== undefined,
        assetVersion: assets.version,
      }),
    );
  });
  // Relative URLs resolve against '.../dashboard', so '.../dashboard/' is sent there.
  http.get('/dashboard/', (c) => c.redirect('../dashboard', 301));
  http.get('/dashboard/assets/:name', (c) => assets.serve(c, c.req.param('name')));
  http.get('/dashboard/api/state', access, (c) => c.json(readState(sources, swaps.rows, config.traces)));
  http.get('/dashboard/api/history', access, compress(), (c) => {
    const o = overview();
    return c.json({
      names: MAIN_SERIES,
      charts: CHARTS,
      intervalMs: o?.intervalMs ?? config.streamInterval,
      t: o?.history.t ?? [],
      series: o === undefined ? null : MAIN_SERIES.map((name) => o.history.series[name].map(round)),
      metricsOff: o === undefined ? readSource(runtime, 'metrics', 'charts', () => sources.metrics.overview()) : undefined,
    });
  });
  http.get('/dashboard/api/traces/:id', access, (c) => {
    const id = c.req.param('id');
    const read = readSource(runtime, 'metrics', 'traces', () => [...sources.metrics.recentTraces(), ...sources.metrics.slowTraces()]);
    if (!read.available) return c.json({ error: { code: 'metrics_off', message: read.reason } }, 503);
    const trace = read.value.find((t) => t.traceId === id);
    if (trace === undefined) {
      return c.json({ error: { code: 'not_found', message: `Trace '${id}' is no longer kept: only the recent and the slowest traces are.` } }, 404);
    }
    return c.json(trace);
  });
  http.get('/dashboard/api/fleet', access, async (c) => {
    if (config.prometheusUrl === undefined) {
      return c.json({ error: { code: 'fleet_off', message: "The fleet view is off: set plugins.dashboard.prometheusUrl to a Prometheus that scrapes every instance." } }, 404);
    }
    return c.json({ charts: await readFleet(config.prometheusUrl, config.fleetWindow, AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)])) });
  });
  http.get('/dashboard/stream', access, (c) =>
    serveStream(c, { hub, overview, signal: ctx.signal, maxStreams: MAX_STREAMS, retryMs: 1000 }),
  );
  ctx.logger.debug({ needsToken: needsToken(runtime, config.public) }, 'Dashboard served at /dashboard.');
}

/** Security headers of every dashboard answer. */
const headers: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
};

/**
 * The dashboard plugin. Enable it with a `plugins.dashboard` section (`from: ../dashboard`);
 * it reads metrics, alerts and the db-indexes report when those plugins run.
 *
 * @example
 * const app = await startTestKernel({ plugins: [dashboard], config: { dashboard: { public: false } } });
 * const page = await app.fetch('/dashboard');
 */
export default definePlugin({
  name: 'dashboard',
  version: '0.1.0',
  description: 'A live dashboard of metrics, alerts, plugins, services, tasks, the database report and traces, at /dashboard.',
  core: '^0.1.0',
  optionalConsumes: [metricsReaderRef, alertsRef, dbIndexesRef, conversationServiceRef],
  config: dashboardConfigSchema,
  setup,
});


