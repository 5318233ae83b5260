import { DependencyGraph } from '../graph/DependencyGraph.js';
import { graphNode } from '../graph/graphNode.js';
import { CORE_SERVICE_IDS } from '@plugboard/plugin-api/internal';
import type { LoadedConfig } from './loadConfig.js';

/**
 * The dependency graph of the plugins in `enabled` (default: those the config enables), with
 * every plugin the config could load known, so that messages can say which one to enable.
 *
 * @throws PlugboardError `circularDependency`, `missingDependency` or `versionMismatch`
 */
export function graphOfConfig(config: LoadedConfig, enabled?: Iterable<string>): DependencyGraph {
  const all = [...config.plugins.values()];
  const wanted = new Set(enabled ?? all.filter((p) => p.enabled).map((p) => p.name));
  return DependencyGraph.build(
    all.filter((p) => wanted.has(p.name)).map((p) => graphNode(p.definition)),
    { coreRefIds: CORE_SERVICE_IDS, known: all.map((p) => graphNode(p.definition)) },
  );
}

/** Every ref id that core or a plugin of the config declares (consumes or provides). */
export function knownRefIds(config: LoadedConfig): Set<string> {
  const ids = new Set(CORE_SERVICE_IDS);
  for (const { definition: d } of config.plugins.values()) {
    for (const r of [...(d.consumes ?? []), ...(d.optionalConsumes ?? []), ...(d.provides ?? [])]) ids.add(r.id);
  }
  return ids;
}
