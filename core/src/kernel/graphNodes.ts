import type { GraphNode } from '../graph/DependencyGraph.js';
import type { LoadedPlugin } from './loadPlugins.js';

/** The graph's view of a loaded plugin: its name, version, dependencies and refs. */
export function graphNodeOf(p: LoadedPlugin): GraphNode {
  const ids = (refs: readonly { id: string }[] | undefined) => (refs ?? []).map((r) => r.id);
  return {
    name: p.name,
    version: p.definition.version,
    dependsOn: p.definition.dependsOn ?? {},
    consumes: ids(p.definition.consumes),
    optionalConsumes: ids(p.definition.optionalConsumes),
    provides: ids(p.definition.provides),
  };
}
