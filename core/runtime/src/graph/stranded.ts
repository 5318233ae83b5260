import type { GraphNode } from './DependencyGraph.js';

/**
 * The plugins of `nodes` that can no longer run once `removed` stops: those that depend on a
 * stopped plugin, or consume a ref that no plugin left running provides, found again and again
 * until none is left. A plugin still served by another provider of the same ref is not stranded:
 * disabling batching leaves consumers of `conversations.writer` on the direct writer.
 *
 * @returns their names in stop order: dependents of dependents first.
 *
 * @example
 * stranded(enabledNodes, 'metrics', CORE_SERVICE_IDS) // ['dashboard', 'alerts']
 */
export function stranded(nodes: readonly GraphNode[], removed: string, coreRefIds: ReadonlySet<string>): string[] {
  let remaining = nodes.filter((n) => n.name !== removed);
  const waves: string[][] = [];
  for (;;) {
    const running = new Set(remaining.map((n) => n.name));
    const provided = new Set(remaining.flatMap((n) => n.provides));
    const broken = remaining.filter(
      (n) =>
        Object.keys(n.dependsOn).some((dep) => !running.has(dep)) ||
        n.consumes.some((ref) => !coreRefIds.has(ref) && !provided.has(ref)),
    );
    if (broken.length === 0) break;
    waves.push(broken.map((n) => n.name));
    remaining = remaining.filter((n) => !broken.includes(n));
  }
  return waves.reverse().flat();
}
