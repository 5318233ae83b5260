/** An index as the duplicate check compares it. */
export interface IndexShapeRow {
  name: string;
  table: string;
  method: string;
  /** Key columns (attribute numbers; 0 is an expression), then the INCLUDE columns. */
  columns: number[];
  keyColumns: number;
  /** indoption per key column (DESC, NULLS FIRST bits). */
  options: number[];
  /** Opclass per key column. */
  opclasses: number[];
  expressions: string | null;
  predicate: string | null;
  unique: boolean;
  primary: boolean;
}

export interface DuplicatePair {
  duplicate: IndexShapeRow;
  coveredBy: IndexShapeRow;
}

/**
 * Pairs (A, B) where A is redundant: same table, method, expressions and predicate; A's key
 * columns (with their order and operator classes) are a prefix of B's; every INCLUDE column of A
 * is among B's columns; A is not unique (a unique index enforces something B does not) unless
 * B is unique on exactly the same keys. Identical indexes are reported once (the later name).
 *
 * @example
 * findDuplicates([a, b]) // [{ duplicate: a, coveredBy: b }] when a is (user_id) and b is (user_id, created_at)
 */
export function findDuplicates(indexes: readonly IndexShapeRow[]): DuplicatePair[] {
  const out: DuplicatePair[] = [];
  for (const a of indexes) {
    for (const b of indexes) {
      if (a === b || a.table !== b.table || a.method !== b.method) continue;
      if (a.expressions !== b.expressions || a.predicate !== b.predicate) continue;
      if (a.keyColumns > b.keyColumns) continue;
      const keysPrefix = [...Array(a.keyColumns).keys()].every(
        (i) => a.columns[i] === b.columns[i] && a.options[i] === b.options[i] && a.opclasses[i] === b.opclasses[i],
      );
      if (!keysPrefix) continue;
      const included = a.columns.slice(a.keyColumns).every((c) => b.columns.includes(c));
      if (!included) continue;
      const sameKeys = a.keyColumns === b.keyColumns;
      if (a.primary) continue;
      if (a.unique && !(b.unique && sameKeys)) continue;
      const identical = sameKeys && a.columns.length === b.columns.length && a.unique === b.unique;
      if (identical && !b.primary && a.name < b.name) continue;
      out.push({ duplicate: a, coveredBy: b });
    }
  }
  return out;
}
