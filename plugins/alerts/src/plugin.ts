/**
 * The alerts plugin: compiles the rules (built-ins, config, shipped by plugins), runs the engine
 * on the core clock over the metrics plugin's in-process reader, and notifies the log,
 * Alertmanagers and webhooks.
 */
import { coreServices, definePlugin, parseDuration } from '@plugboard/plugin-api';
import { metricsReaderRef } from '@plugboard/plugin-metrics';
import { exportCommand } from './commands/exportCommand.js';
import { configSchema } from './config.js';
import { alertsRef, type AlertsApi } from './contract.js';
import { AlertEngine } from './engine/AlertEngine.js';
import { promqlOfRule } from './export/promqlOfRule.js';
import { createInstruments } from './instruments.js';
import { AlertmanagerNotifier } from './notify/AlertmanagerNotifier.js';
import { LogNotifier } from './notify/LogNotifier.js';
import { SilenceStore } from './notify/SilenceStore.js';
import { Silences } from './notify/Silences.js';
import { WebhookNotifier } from './notify/WebhookNotifier.js';
import { alertRoutes } from './routes/routes.js';
import { assembleRules, compileRules } from './rules/ruleSet.js';
import type { CompiledRule } from './rules/schema.js';
import { alertRulesRef } from './rules/shipped.js';

export default definePlugin({
  name: 'alerts',
  version: '0.1.0',
  core: '^0.1.0',
  description: 'Alert rules over the live metrics, notifications to the log, Alertmanager and webhooks, Prometheus rule export',
  dependsOn: { metrics: '^0.1.0' },
  consumes: [metricsReaderRef],
  provides: [alertsRef, alertRulesRef],
  config: configSchema,
  commands: [exportCommand],
  async setup(ctx) {
    const config = ctx.config;
    const clock = ctx.get(coreServices.clock);
    const runtime = ctx.get(coreServices.runtime);
    const reader = ctx.get(metricsReaderRef);
    const store = new SilenceStore(ctx.get(coreServices.database).sequelize);
    const silences = new Silences(
      () => clock.now(),
      (s) => store.save(s).catch((err: unknown) => {
        ctx.logger.error({ err, silence: s }, `could not store silence '${s.id}'; it holds until this plugin restarts`);
        throw err;
      }),
    );
    await store.ensureTable();
    silences.restore(await store.load(clock.now() - 86_400_000));
    for (const s of config.silences) {
      // A silence of the config that has run out is history, not an error that stops the plugin.
      if (Date.parse(s.endsAt) <= clock.now()) ctx.logger.info({ silence: s }, `the silence of the config ending ${s.endsAt} has expired; it is skipped`);
      else silences.add(s, { persist: false });
    }
    const shipped = new Map<string, CompiledRule[]>();
    // The config's rules are checked by its schema already; a clash or bad override fails the start here.
    let rules = assembleRules(config, shipped);

    const instruments = createInstruments(ctx.meter, () => engine.alerts());
    const engine: AlertEngine = new AlertEngine({
      collect: () => reader.collect(),
      clock,
      logger: ctx.logger,
      intervalMs: parseDuration(config.evaluationInterval, 'plugins.alerts.evaluationInterval'),
      resolveMissingAfterMs: parseDuration(config.resolveMissingAfter, 'plugins.alerts.resolveMissingAfter'),
      keepResolvedMs: parseDuration(config.keepResolvedFor, 'plugins.alerts.keepResolvedFor'),
      silences,
      inhibitRules: config.inhibitRules,
      pluginState: (name) => runtime.plugins().find((p) => p.name === name)?.state,
      promqlOf: promqlOfRule,
      instruments,
    });
    engine.setRules(rules);
    if (config.log) engine.addNotifier(new LogNotifier(ctx.logger));
    for (const am of config.alertmanagers) {
      engine.addNotifier(new AlertmanagerNotifier({ url: am.url, timeoutMs: parseDuration(am.timeout, 'alertmanagers[].timeout'), externalUrl: config.externalUrl, intervalMs: parseDuration(config.evaluationInterval, 'evaluationInterval'), logger: ctx.logger, instruments }));
    }
    const webhooks = config.webhooks.map((w) => new WebhookNotifier(w, { clock, logger: ctx.logger, instruments, externalUrl: config.externalUrl }));
    for (const w of webhooks) engine.addNotifier(w);

    const api: AlertsApi = {
      alerts: () => engine.alerts(),
      rules: () => engine.rules(),
      silences: () => silences.list(),
      addSilence: (input) => silences.add(input),
      removeSilence: (id) => silences.remove(id),
      evaluateNow: () => engine.evaluateNow(),
    };
    ctx.provide(alertsRef, api);
    ctx.provide(alertRulesRef, {
      add(owner, inputs) {
        const compiled = compileRules(inputs, owner, 'rules');
        const next = new Map(shipped).set(owner, compiled);
        const all = assembleRules(config, next);
        shipped.set(owner, compiled);
        rules = all;
        engine.setRules(rules);
        ctx.logger.info({ owner, rules: compiled.map((r) => r.name) }, `added ${compiled.length} alert rule(s) shipped by '${owner}'`);
        return () => {
          if (shipped.get(owner) !== compiled) return;
          shipped.delete(owner);
          rules = assembleRules(config, shipped);
          engine.setRules(rules);
        };
      },
    });
    alertRoutes(ctx.http, api, (id) => silences.saved(id));

    // A test (or a host) may swap the clock at runtime: the next evaluation is then set on the new one.
    ctx.onServiceEvent((event) => {
      if (event.refId === coreServices.clock.id && event.type === 'replaced') engine.reschedule();
    });
    engine.start();
    ctx.onStop(() => {
      engine.stop();
      for (const w of webhooks) w.stop();
    });
  },
});
