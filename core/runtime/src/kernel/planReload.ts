import { isDeepStrictEqual } from 'node:util';
import type { LoadedConfig, LoadedPlugin } from './loadConfig.js';

/** What a config reload will do, worked out before anything changes. */
export interface ReloadPlan {
  /** Plugins the new config enables. */
  enabled: string[];
  /** Running plugins the new config disables or drops. */
  stop: string[];
  /** Enabled plugins that are not running. */
  start: string[];
  /** Running plugins whose section, source or version changed. */
  restart: string[];
  /** Dotted keys outside `plugins` that changed; they apply on the next process start. */
  needsRestart: string[];
}

/**
 * Compares the running config with a new one. The file is the truth: a plugin disabled at
 * runtime that the file still enables starts again.
 */
export function planReload(current: LoadedConfig, next: LoadedConfig, running: ReadonlySet<string>): ReloadPlan {
  const enabled = [...next.plugins.values()].filter((p) => p.enabled).map((p) => p.name);
  const enabledSet = new Set(enabled);
  const plan: ReloadPlan = { enabled, stop: [], start: [], restart: [], needsRestart: [] };
  for (const name of running) if (!enabledSet.has(name)) plan.stop.push(name);
  for (const name of enabled) {
    if (!running.has(name)) plan.start.push(name);
    else if (pluginChanged(current.plugins.get(name), next.plugins.get(name)!)) plan.restart.push(name);
  }
  for (const section of ['server', 'database', 'logging', 'kernel'] as const) {
    const before = current[section] as Record<string, unknown>;
    const after = next[section] as Record<string, unknown>;
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (!isDeepStrictEqual(before[key], after[key])) plan.needsRestart.push(`${section}.${key}`);
    }
  }
  return plan;
}

function pluginChanged(before: LoadedPlugin | undefined, after: LoadedPlugin): boolean {
  if (!before) return true;
  return (
    before.source !== after.source ||
    before.definition.version !== after.definition.version ||
    before.onFailure !== after.onFailure ||
    before.startTimeoutMs !== after.startTimeoutMs ||
    before.stopTimeoutMs !== after.stopTimeoutMs ||
    !isDeepStrictEqual(before.config, after.config)
  );
}
