import type { DependencyGraph } from '../graph/DependencyGraph.js';
import type { LoadedPlugin } from './loadConfig.js';
import type { PluginRuntime } from './PluginRuntime.js';
import type { PluginInfo } from '@plugboard/plugin-api';

/** How the admin API, the CLI and the dashboard see a plugin: its definition and its last run. */
export function pluginInfo(
  p: LoadedPlugin,
  now: { runtime: PluginRuntime | undefined; enabled: boolean; graph: DependencyGraph | undefined },
): PluginInfo {
  const { runtime, enabled, graph } = now;
  const state = runtime?.state ?? 'stopped';
  const d = p.definition;
  return {
    name: p.name,
    version: d.version,
    ...(d.description ? { description: d.description } : {}),
    state: !enabled && state === 'stopped' ? 'disabled' : state,
    enabled,
    onFailure: p.onFailure,
    source: p.source,
    dependencies: graph && enabled ? graph.dependenciesOf(p.name) : [],
    provides: (d.provides ?? []).map((r) => r.id),
    consumes: [...(d.consumes ?? []), ...(d.optionalConsumes ?? [])].map((r) => r.id),
    ...(runtime?.startedAt ? { startedAt: runtime.startedAt } : {}),
    ...(runtime?.startDurationMs !== undefined ? { startDurationMs: Math.round(runtime.startDurationMs) } : {}),
    ...(runtime?.error ? { error: runtime.error } : {}),
  };
}
