/**
 * Finds the elementary cycles of a small directed graph, each once, as a path that starts and
 * ends at its earliest node in input order: `['alerts', 'metrics', 'alerts']`.
 */

/** More than this many cycles means the config is wrong in one big way; listing more would not help. */
const MAX_CYCLES = 20;

/**
 * @param names nodes in input order
 * @param edges node -> nodes it points at (unknown targets are ignored)
 *
 * @example
 * findCycles(['a', 'b'], new Map([['a', ['b']], ['b', ['a']]])) // [['a', 'b', 'a']]
 */
export function findCycles(names: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map(names.map((n, i) => [n, i]));
  const next = (n: string): string[] =>
    [...new Set(edges.get(n) ?? [])].filter((t) => index.has(t)).sort((a, b) => index.get(a)! - index.get(b)!);
  const component = stronglyConnected(names, next);
  const cycles: string[][] = [];

  for (const start of names) {
    const startIndex = index.get(start)!;
    const path = [start];
    const onPath = new Set(path);
    // Only nodes after `start` may appear, so a cycle is found from its earliest node only.
    const visit = (node: string): void => {
      for (const target of next(node)) {
        if (cycles.length >= MAX_CYCLES) return;
        if (target === start) {
          cycles.push([...path, start]);
        } else if (index.get(target)! > startIndex && !onPath.has(target) && component.get(target) === component.get(start)) {
          path.push(target);
          onPath.add(target);
          visit(target);
          path.pop();
          onPath.delete(target);
        }
      }
    };
    visit(start);
  }
  return cycles;
}

/** Tarjan's algorithm: node -> id of its strongly connected component. */
function stronglyConnected(names: readonly string[], next: (n: string) => string[]): Map<string, number> {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const component = new Map<string, number>();
  let counter = 0;
  let components = 0;

  const connect = (node: string): void => {
    order.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of next(node)) {
      if (!order.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, order.get(target)!));
      }
    }
    if (low.get(node) === order.get(node)) {
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.set(member, components);
      } while (member !== node);
      components += 1;
    }
  };
  for (const name of names) if (!order.has(name)) connect(name);
  return component;
}
