/** A node of `EXPLAIN (FORMAT JSON)` output, the fields used here. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Plan Rows': number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Total Cost': number;
  'Index Cond'?: string;
  Filter?: string;
  'Recheck Cond'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** A plan node whose row estimate is off from the actual rows by `factor`. */
export interface NodeMisestimate {
  node: string;
  relation?: string;
  condition?: string;
  estimatedRows: number;
  actualRows: number;
  factor: number;
}

/** `Limit > Index Scan using conversations_user_created on conversations`: the plan, outermost first, one branch per node. */
export function planShape(node: PlanNode): string {
  const self = describeNode(node);
  const children = node.Plans ?? [];
  if (children.length === 0) return self;
  if (children.length === 1) return `${self} > ${planShape(children[0]!)}`;
  return `${self} > [${children.map(planShape).join(' | ')}]`;
}

function describeNode(node: PlanNode): string {
  const index = node['Index Name'] ? ` using ${node['Index Name']}` : '';
  const relation = node['Relation Name'] ? ` on ${node['Relation Name']}` : '';
  return `${node['Node Type']}${index}${relation}`;
}

/** Every index a plan reads. */
export function indexesUsed(node: PlanNode): string[] {
  const out = new Set<string>();
  const walk = (n: PlanNode) => {
    if (n['Index Name']) out.add(n['Index Name']);
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(node);
  return [...out];
}

/** Whether any node reads a whole table (`Seq Scan`). */
export function hasSeqScan(node: PlanNode): boolean {
  return node['Node Type'] === 'Seq Scan' || (node.Plans ?? []).some(hasSeqScan);
}

/**
 * Nodes whose estimated rows (per loop) are off from the actual rows by `minFactor` or more.
 * Nodes under a `Limit` are skipped (they stop early by design), and so are nodes where both
 * numbers are below 10 (noise).
 */
export function findMisestimates(root: PlanNode, minFactor: number): NodeMisestimate[] {
  const out: NodeMisestimate[] = [];
  const walk = (n: PlanNode, underLimit: boolean) => {
    const actual = n['Actual Rows'];
    if (!underLimit && actual !== undefined && (n['Actual Loops'] ?? 1) > 0) {
      const estimated = n['Plan Rows'];
      const factor = Math.max(estimated, actual) / Math.max(Math.min(estimated, actual), 1);
      if (Math.max(estimated, actual) >= 10 && factor >= minFactor) {
        const condition = n['Index Cond'] ?? n.Filter ?? n['Recheck Cond'];
        out.push({
          node: describeNode(n),
          ...(n['Relation Name'] ? { relation: n['Relation Name'] } : {}),
          ...(condition ? { condition } : {}),
          estimatedRows: estimated,
          actualRows: actual,
          factor: Math.round(factor * 10) / 10,
        });
      }
    }
    for (const c of n.Plans ?? []) walk(c, underLimit || n['Node Type'] === 'Limit');
  };
  walk(root, false);
  return out;
}

/**
 * What to do about a misestimate: extended statistics when the condition ties several columns of
 * the table (the planner assumes them independent), otherwise a fresh ANALYZE.
 */
export function misestimateAdvice(m: NodeMisestimate, tableColumns: readonly string[]): string {
  const table = m.relation ?? 'the table';
  const mentioned = m.condition ? tableColumns.filter((c) => new RegExp(`\\b${c}\\b`).test(m.condition!)) : [];
  if (mentioned.length >= 2) {
    const name = `${table}_${mentioned.join('_')}_dep`.slice(0, 63);
    return `The condition combines correlated columns (${mentioned.join(', ')}), which the planner treats as independent: CREATE STATISTICS ${name} (dependencies) ON ${mentioned.join(', ')} FROM ${table}; then ANALYZE ${table}.`;
  }
  return `The statistics of ${table} look stale: ANALYZE ${table} (the analyze task does it every maintenance.analyzeEvery; raise the column's statistics target with ALTER TABLE ... ALTER COLUMN ... SET STATISTICS 1000 if it persists).`;
}
