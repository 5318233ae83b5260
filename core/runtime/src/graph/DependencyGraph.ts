/**
 * The plugin dependency graph: which enabled plugin must start before which, and why. Pure: it
 * knows plugins only as {@link GraphNode}s, so the loader can check a config (or a runtime
 * change) before it starts or stops anything.
 *
 * An edge A -> B means "A needs B started first". It comes from `A.dependsOn[B]`, or from A
 * consuming a ref that B provides. A plugin that provides a ref it consumes needs no other
 * provider for it: batching provides `conversations.writer` at a higher ranking while depending on
 * conversations, which consumes and provides it too; without this rule that is a cycle.
 */
import semver from 'semver';
import { PlugboardError } from '@plugboard/plugin-api';
import type { PlugboardErrorKind } from '@plugboard/plugin-api';
import { findCycles } from './cycles.js';
import { missingDependencyProblem, missingProviderProblem, versionProblem } from './problems.js';

/** What the graph needs to know about a plugin. */
export interface GraphNode {
  name: string;
  version: string;
  /** Plugin name -> semver range. */
  dependsOn: Record<string, string>;
  /** Ref ids. */
  consumes: string[];
  optionalConsumes: string[];
  provides: string[];
}

export interface GraphOptions {
  /** Refs core provides itself; consuming them needs no plugin. */
  coreRefIds: ReadonlySet<string>;
  /** Every plugin that could be enabled (disabled ones included), for messages that say what to enable. */
  known?: GraphNode[];
}

/** Why a plugin must start after another. */
export interface GraphDependency {
  plugin: string;
  /** `"dependsOn '^0.1.0'"` or `"consumes 'conversations.writer'"`. */
  reason: string;
}

interface Problem {
  kind: PlugboardErrorKind;
  message: string;
}

/**
 * @example
 * const graph = DependencyGraph.build(nodes, { coreRefIds: CORE_SERVICE_IDS });
 * for (const level of graph.levels()) await Promise.all(level.map(start));
 */
export class DependencyGraph {
  readonly #names: string[];
  readonly #index: Map<string, number>;
  /** name -> plugins it needs, with one entry per reason. */
  readonly #dependencies: Map<string, GraphDependency[]>;
  /** name -> plugins it needs (deduplicated), in input order. */
  readonly #edges: Map<string, string[]>;
  readonly #order: string[];

  private constructor(names: string[], dependencies: Map<string, GraphDependency[]>) {
    this.#names = names;
    this.#index = new Map(names.map((n, i) => [n, i]));
    this.#dependencies = dependencies;
    this.#edges = new Map(
      names.map((n) => {
        const targets = new Set((dependencies.get(n) ?? []).map((d) => d.plugin));
        return [n, names.filter((t) => targets.has(t))];
      }),
    );
    this.#order = this.#topologicalOrder();
  }

  /**
   * Builds the graph of the enabled plugins (in config order). Throws a PlugboardError listing
   * every problem, one sentence per line: `circularDependency` if there is any cycle, else
   * `missingDependency` if anything is missing, else `versionMismatch`.
   */
  static build(enabled: GraphNode[], options: GraphOptions): DependencyGraph {
    const byName = new Map<string, GraphNode>();
    for (const node of enabled) {
      if (byName.has(node.name)) {
        throw new PlugboardError('invalidArgument', `Plugin '${node.name}' is listed twice in the dependency graph.`);
      }
      byName.set(node.name, node);
    }
    const known = new Map<string, GraphNode>((options.known ?? []).map((n) => [n.name, n]));
    const problems: Problem[] = [];
    const dependencies = new Map<string, GraphDependency[]>();

    for (const node of enabled) {
      const deps: GraphDependency[] = [];
      for (const [dep, range] of Object.entries(node.dependsOn)) {
        const target = byName.get(dep);
        if (target === undefined) {
          problems.push({ kind: 'missingDependency', message: missingDependencyProblem(node.name, dep, known.has(dep)) });
          continue;
        }
        if (!semver.satisfies(target.version, range, { includePrerelease: true })) {
          problems.push({ kind: 'versionMismatch', message: versionProblem(node.name, dep, range, target.version) });
        }
        deps.push({ plugin: dep, reason: `dependsOn '${range}'` });
      }
      const refs = [
        ...node.consumes.map((ref) => ({ ref, optional: false })),
        ...node.optionalConsumes.map((ref) => ({ ref, optional: true })),
      ];
      for (const { ref, optional } of refs) {
        if (options.coreRefIds.has(ref) || node.provides.includes(ref)) continue;
        const providers = enabled.filter((p) => p.name !== node.name && p.provides.includes(ref));
        if (providers.length === 0 && !optional) {
          const candidates = [...known.values()]
            .filter((p) => p.name !== node.name && !byName.has(p.name) && p.provides.includes(ref))
            .map((p) => p.name);
          problems.push({ kind: 'missingDependency', message: missingProviderProblem(node.name, ref, candidates) });
        }
        for (const provider of providers) deps.push({ plugin: provider.name, reason: `consumes '${ref}'` });
      }
      dependencies.set(node.name, deps);
    }

    const names = enabled.map((n) => n.name);
    const edges = new Map(names.map((n) => [n, (dependencies.get(n) ?? []).map((d) => d.plugin)]));
    const cycles = findCycles(names, edges).map(
      (cycle) => `Plugin dependency cycle: ${cycle.map((n) => `'${n}'`).join(' -> ')}.`,
    );
    if (cycles.length > 0 || problems.length > 0) {
      const kind: PlugboardErrorKind =
        cycles.length > 0
          ? 'circularDependency'
          : problems.some((p) => p.kind === 'missingDependency')
            ? 'missingDependency'
            : 'versionMismatch';
      const all = [...cycles, ...problems.map((p) => p.message)];
      throw new PlugboardError(kind, all.join('\n'), { details: { problems: all } });
    }
    return new DependencyGraph(names, dependencies);
  }

  /** Start order: every plugin after all it needs; ties keep the input order. */
  order(): string[] {
    return [...this.#order];
  }

  /** Plugins grouped so that each group needs only plugins of earlier groups; start a group concurrently. */
  levels(): string[][] {
    const level = new Map<string, number>();
    for (const name of this.#order) {
      const deps = this.#edges.get(name) ?? [];
      level.set(name, deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => level.get(d) ?? 0)));
    }
    const groups: string[][] = [];
    for (const name of this.#names) {
      const l = level.get(name) ?? 0;
      (groups[l] ??= []).push(name);
    }
    return groups;
  }

  /** The plugins `name` needs, one entry per reason, in declaration order. */
  dependenciesOf(name: string): GraphDependency[] {
    this.#check(name);
    return (this.#dependencies.get(name) ?? []).map((d) => ({ ...d }));
  }

  #check(name: string): void {
    if (!this.#index.has(name)) {
      throw new PlugboardError('invalidArgument', `Plugin '${name}' is not in the dependency graph; it is not enabled.`);
    }
  }

  /** Kahn's algorithm, always taking the ready plugin that comes first in the input. */
  #topologicalOrder(): string[] {
    const remaining = new Map(this.#names.map((n) => [n, new Set(this.#edges.get(n))]));
    const order: string[] = [];
    while (remaining.size > 0) {
      const next = this.#names.find((n) => remaining.get(n)?.size === 0);
      // build() rejected cycles, so some plugin is always ready.
      if (next === undefined) throw new Error('DependencyGraph: cycle after validation');
      order.push(next);
      remaining.delete(next);
      for (const deps of remaining.values()) deps.delete(next);
    }
    return order;
  }
}
