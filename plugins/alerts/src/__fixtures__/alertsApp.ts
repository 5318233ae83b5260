/**
 * Integration set-up: a real kernel running conversations, the real metrics plugin (real SDK),
 * alerts, and a `load` plugin whose real instruments stand for what the test cannot move at will
 * (process memory and CPU, the batch queue before plugins/batching records it). The core clock is
 * replaced by a {@link ManualClock}, so the test moves rule time. Not exported.
 */
import { createTestDatabase, startTestKernel, type TestDatabase, type TestKernel } from '@plugboard/core/testing';
import { coreServices, definePlugin, type PluginDefinition } from '@plugboard/plugin-api';
import conversations from '@plugboard/plugin-conversations';
import metrics from '@plugboard/plugin-metrics';
import pino, { type Logger } from 'pino';
import { alertsRef, type AlertsApi } from '../contract.js';
import alerts from '../plugin.js';
import { ManualClock } from './ManualClock.js';

/** What the `load` plugin's instruments report, set by the test. */
export interface Load {
  memoryBytes: number;
  queueDepth: number;
  /** Adds CPU-seconds to `process.cpu.time`. */
  addCpuSeconds(seconds: number): void;
}

function loadPlugin(load: { memoryBytes: number; queueDepth: number; cpu?: (s: number) => void }, options: { queue: boolean }): PluginDefinition {
  return definePlugin({
    name: 'load',
    version: '0.1.0',
    core: '^0.1.0',
    setup(ctx) {
      ctx.meter.createObservableGauge('process.memory.usage', { unit: 'By', description: 'test: resident memory' }).addCallback((r) => r.observe(load.memoryBytes));
      // Stands for plugins/batching's gauge in the tests that do not run it.
      if (options.queue) ctx.meter.createObservableGauge('plugboard.batch.queue_depth', { unit: '{row}' }).addCallback((r) => r.observe(load.queueDepth, { 'plugboard.batch.queue': 'conversations' }));
      const cpu = ctx.meter.createCounter('process.cpu.time', { unit: 's' });
      load.cpu = (s) => cpu.add(s, { 'process.cpu.state': 'user' });
      ctx.http.get('/api/load/fail', (c) => c.json({ error: { code: 'boom', message: 'failing on purpose' } }, 500));
      ctx.http.get('/api/load/ok', (c) => c.json({ ok: true }));
    },
  });
}

export interface AlertsApp {
  kernel: TestKernel;
  db: TestDatabase;
  clock: ManualClock;
  alerts: AlertsApi;
  load: Load;
  /** Moves the clock and evaluates once. */
  step(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startAlertsApp(alertsConfig: Record<string, unknown> = {}, options: { metrics?: Record<string, unknown>; extraPlugins?: PluginDefinition[]; extraConfig?: Record<string, Record<string, unknown>>; keepSystemClock?: boolean; logger?: Logger } = {}): Promise<AlertsApp> {
  const db = await createTestDatabase();
  const state: { memoryBytes: number; queueDepth: number; cpu?: (s: number) => void } = { memoryBytes: 100e6, queueDepth: 0 };
  const kernel = await startTestKernel({
    plugins: [conversations, metrics, alerts, loadPlugin(state, { queue: !(options.extraPlugins ?? []).some((p) => p.name === 'batching') }), ...(options.extraPlugins ?? [])],
    database: db,
    // With the test clock, rules are evaluated by step(): the engine's own timer is set a day out so it never interferes.
    config: { ...options.extraConfig, metrics: { system: { enabled: false }, ...options.metrics }, alerts: { ...(options.keepSystemClock ? {} : { evaluationInterval: '1d' }), ...alertsConfig } },
    logger: options.logger ?? pino({ level: 'silent' }),
  }).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  const clock = new ManualClock(Date.now());
  if (!options.keepSystemClock) kernel.provide(coreServices.clock, clock, { ranking: 100 });
  const api = kernel.get(alertsRef);
  const load: Load = {
    get memoryBytes() {
      return state.memoryBytes;
    },
    set memoryBytes(v) {
      state.memoryBytes = v;
    },
    get queueDepth() {
      return state.queueDepth;
    },
    set queueDepth(v) {
      state.queueDepth = v;
    },
    addCpuSeconds: (s) => state.cpu!(s),
  };
  return {
    kernel,
    db,
    clock,
    alerts: api,
    load,
    step: async (ms) => {
      await clock.advance(ms);
      await api.evaluateNow();
    },
    close: async () => {
      await kernel.stop();
      await db.close();
    },
  };
}
