/**
 * What the dashboard reads, each source optional: the metrics reader, the alert engine and the
 * db-indexes report come from plugins that may be disabled, and a panel whose plugin is off says
 * so (with how to turn it on) instead of breaking.
 */
import { PlugboardError, type PluginInfo, type RuntimeInfo } from '@plugboard/plugin-api';
import type { AlertsApi } from '@plugboard/plugin-alerts';
import type { ModelUsage } from '@plugboard/plugin-conversations';
import type { DbIndexesApi } from '@plugboard/plugin-db-indexes';
import type { MetricsReader } from '@plugboard/plugin-metrics';

/** Why a panel has nothing to show: its plugin is not running, or not in the config at all. */
export interface Unavailable {
  available: false;
  /** The plugin that gives the panel's data. */
  plugin: string;
  /** A sentence for the operator: what is wrong and what to change. */
  reason: string;
}

export type Source<T> = { available: true; value: T } | Unavailable;

export interface DashboardSources {
  runtime: RuntimeInfo;
  metrics: MetricsReader;
  alerts: AlertsApi;
  dbIndexes: DbIndexesApi;
  /** The last read of conversations per AI model (a background task reads it). */
  models: () => Source<{ since: string; models: ModelUsage[] } | null>;
}

/** The sentence that says a plugin is off and how to turn it on. */
export function unavailable(runtime: RuntimeInfo, plugin: string, what: string): Unavailable {
  const info: PluginInfo | undefined = runtime.plugins().find((p) => p.name === plugin);
  let reason: string;
  if (info === undefined) {
    reason = `No ${what}: the '${plugin}' plugin is not in the config. Add a 'plugins.${plugin}' section with 'enabled: true'.`;
  } else if (info.state === 'failed') {
    reason = `No ${what}: the '${plugin}' plugin failed to start (${info.error ?? 'no error recorded'}). Fix that, then press Enable or set 'plugins.${plugin}.enabled: true'.`;
  } else if (info.state === 'started') {
    reason = `No ${what} yet: the '${plugin}' plugin runs but provides nothing for it.`;
  } else {
    reason = `No ${what}: the '${plugin}' plugin is ${info.state}. Set 'plugins.${plugin}.enabled: true' in the config or press Enable.`;
  }
  return { available: false, plugin, reason };
}

/**
 * Calls `read` on a live handle; a handle with no provider (its plugin is off) gives the
 * {@link Unavailable} that says so. Other errors propagate.
 */
export function readSource<T>(runtime: RuntimeInfo, plugin: string, what: string, read: () => T): Source<T> {
  try {
    return { available: true, value: read() };
  } catch (err) {
    if (PlugboardError.is(err, 'serviceUnavailable')) return unavailable(runtime, plugin, what);
    throw err;
  }
}

/** As {@link readSource}, for a read that returns a promise. */
export async function readSourceAsync<T>(runtime: RuntimeInfo, plugin: string, what: string, read: () => Promise<T>): Promise<Source<T>> {
  try {
    return { available: true, value: await read() };
  } catch (err) {
    if (PlugboardError.is(err, 'serviceUnavailable')) return unavailable(runtime, plugin, what);
    throw err;
  }
}
