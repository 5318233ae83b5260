import type { IndexDeclaration } from '../contract.js';
import { quoteIdent } from '../sql.js';

export interface DdlOptions {
  concurrently?: boolean;
  /** Build it under another name (the shape check), on another table. */
  name?: string;
  table?: string;
}

/**
 * The `CREATE INDEX` statement of a declaration. Columns and the predicate are SQL written by the
 * declaring plugin (checked to hold no `;` when declared); names are quoted.
 *
 * @example
 * createIndexSql(EIGHT_INDEXES[0], { concurrently: true });
 * // CREATE INDEX CONCURRENTLY "conversations_user_created" ON "conversations" (user_id, created_at DESC)
 */
export function createIndexSql(d: IndexDeclaration, options: DdlOptions = {}): string {
  const parts = [
    `CREATE ${d.unique ? 'UNIQUE ' : ''}INDEX ${options.concurrently ? 'CONCURRENTLY ' : ''}${quoteIdent(options.name ?? d.name)}`,
    `ON ${quoteIdent(options.table ?? d.table)} (${d.columns.join(', ')})`,
  ];
  if (d.include && d.include.length > 0) parts.push(`INCLUDE (${d.include.map(quoteIdent).join(', ')})`);
  if (d.where) parts.push(`WHERE ${d.where}`);
  return parts.join(' ');
}

/**
 * What `pg_get_indexdef` says of an index without its name and table: `UNIQUE USING btree (a, b DESC) WHERE ...`.
 * Two indexes with the same shape are the same index.
 */
export function indexShape(indexdef: string): string {
  const match = /^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .*)$/s.exec(indexdef);
  return match ? `${match[1] ?? ''}${match[2]}` : indexdef;
}
