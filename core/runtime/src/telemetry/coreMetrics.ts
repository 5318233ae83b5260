/**
 * The kernel's own metrics, under the instrumentation scope `plugboard.core`: registry swaps and
 * providers, task runs, plugin starts and plugin states. One set per Kernel, on a forwarding meter,
 * so each call is a no-op until a telemetry plugin installs a MeterProvider and records through it
 * afterwards. Names, units and attribute keys are listed in core/README.md ("Metrics of the framework").
 */
import type { ObservableResult } from '@opentelemetry/api';
import type { PluginState } from '@plugboard/plugin-api';
import type { ServiceEvent, ServiceInfo } from '@plugboard/plugin-api';
import type { TaskStatus } from '@plugboard/plugin-api';
import { CORE_VERSION } from '../version.js';
import { createForwardingMeter } from './ForwardingMeter.js';

/** Where the observable instruments read from, and where swaps come from. */
export interface CoreMetricsSources {
  /** The kernel's registry: subscribed to for `replaced` events, listed for provider counts. */
  registry: { on(listener: (event: ServiceEvent) => void): () => void; list(): ServiceInfo[] };
  /** Every plugin of the config with its state, as `kernel.plugins()` gives them. */
  plugins: () => readonly { state: PluginState }[];
}

/** What the kernel calls at the points only it sees. */
export interface CoreMetrics {
  /** Records one finished task run: its count and duration, by task id and outcome. Pass as the scheduler's `onRunEnd`. */
  taskRunEnded(status: TaskStatus): void;
  /** Records how long plugin `plugin`'s start took, in milliseconds as the runtime measures it. */
  pluginStarted(plugin: string, durationMs: number): void;
  /** Stops listening to the registry and closes the meter: observables report no more. Idempotent. */
  close(): void;
}

/** Every state a plugin can be in, so the plugins gauge reports 0 for a state that emptied. */
const PLUGIN_STATES: readonly PluginState[] = ['disabled', 'starting', 'started', 'failed', 'stopping', 'stopped'];

/**
 * Makes the kernel's instruments on a forwarding meter named `plugboard.core` and subscribes to
 * the registry's swaps. The kernel makes one in its constructor and closes it in `stop()`.
 *
 * @example
 * const metrics = createCoreMetrics({ registry, plugins: () => kernel.plugins() });
 * const scheduler = new TaskScheduler({ logger, onRunEnd: (status) => metrics.taskRunEnded(status) });
 * metrics.pluginStarted('conversations', 12.5);
 * metrics.close();
 */
export function createCoreMetrics(sources: CoreMetricsSources): CoreMetrics {
  const meter = createForwardingMeter('plugboard.core', CORE_VERSION);
  const swaps = meter.createCounter('plugboard.registry.swaps', {
    unit: '{swap}',
    description: 'Times the best provider of a service ref changed: a provider registered above it, left, or was replaced.',
  });
  const providers = meter.createObservableUpDownCounter('plugboard.registry.providers', {
    unit: '{provider}',
    description: 'Providers registered per service ref, the best one and those ranked below it.',
  });
  const taskRuns = meter.createCounter('plugboard.task.runs', {
    unit: '{run}',
    description: 'Finished runs of background tasks, by task and outcome.',
  });
  const taskDuration = meter.createHistogram('plugboard.task.duration', {
    unit: 's',
    description: 'How long runs of background tasks took, by task and outcome.',
  });
  const pluginStart = meter.createHistogram('plugboard.plugin.start.duration', {
    unit: 's',
    description: "How long plugins took to start: their setup and the kernel's work around it.",
  });
  const plugins = meter.createObservableUpDownCounter('plugboard.plugins', {
    unit: '{plugin}',
    description: 'Plugins of the config by lifecycle state.',
  });

  // The registry stops listing a ref once it has no provider and no declaration; it is reported
  // as 0 from then on rather than left at its last count. Refs are few and fixed by code.
  const seen = new Set<string>();
  const observeProviders = (result: ObservableResult): void => {
    const counts = new Map<string, number>();
    for (const id of seen) counts.set(id, 0);
    for (const service of sources.registry.list()) {
      counts.set(service.id, service.providers.length);
      seen.add(service.id);
    }
    for (const [id, count] of counts) result.observe(count, { 'plugboard.service': id });
  };
  const observePlugins = (result: ObservableResult): void => {
    const counts = new Map<PluginState, number>(PLUGIN_STATES.map((s) => [s, 0]));
    for (const { state } of sources.plugins()) counts.set(state, (counts.get(state) ?? 0) + 1);
    for (const [state, count] of counts) result.observe(count, { 'plugboard.plugin.state': state });
  };
  providers.addCallback(observeProviders);
  plugins.addCallback(observePlugins);
  const unsubscribe = sources.registry.on((event) => {
    if (event.type === 'replaced') swaps.add(1, { 'plugboard.service': event.refId });
  });

  let closed = false;
  return {
    taskRunEnded(status) {
      if (status.lastOutcome === undefined) return;
      const attributes = { 'plugboard.task': status.id, 'plugboard.task.outcome': status.lastOutcome };
      taskRuns.add(1, attributes);
      if (status.lastDurationMs !== undefined) taskDuration.record(status.lastDurationMs / 1000, attributes);
    },
    pluginStarted(plugin, durationMs) {
      pluginStart.record(durationMs / 1000, { 'plugboard.plugin': plugin });
    },
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      meter.close();
    },
  };
}
