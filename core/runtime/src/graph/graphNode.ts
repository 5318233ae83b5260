import type { PluginDefinition } from '@plugboard/plugin-api';
import type { GraphNode } from './DependencyGraph.js';

/**
 * The {@link GraphNode} of a plugin definition: its name, version, declared plugin dependencies
 * and the ids of the refs it consumes and provides.
 *
 * @example
 * DependencyGraph.build(enabled.map((p) => graphNode(p.definition)), { coreRefIds: CORE_SERVICE_IDS });
 */
export function graphNode(definition: PluginDefinition): GraphNode {
  return {
    name: definition.name,
    version: definition.version,
    dependsOn: { ...definition.dependsOn },
    consumes: (definition.consumes ?? []).map((r) => r.id),
    optionalConsumes: (definition.optionalConsumes ?? []).map((r) => r.id),
    provides: (definition.provides ?? []).map((r) => r.id),
  };
}
