/**
 * What a span and a metric may say about a SQL statement: its operation and main table, and the
 * statement with every literal replaced by `?` (so no user data leaves in a span, and one
 * statement shape is one value).
 */

export interface SqlSummary {
  /** `SELECT`, `INSERT`, ...; the first keyword. */
  operation: string;
  /** The first table named after FROM, INTO, UPDATE or JOIN, without schema quotes; undefined when none. */
  collection: string | undefined;
  /** The statement with string, number and boolean literals replaced by `?`, at most 2,000 characters. */
  statement: string;
}

const MAX_STATEMENT = 2000;
const CACHE_LIMIT = 1000;
/** By the text as sent. */
const cache = new Map<string, SqlSummary>();
/**
 * By normalised statement: texts that differ only in their literals (Sequelize writes values into
 * the text) share one summary, so what is keyed by a summary (the metric attributes made for a
 * statement) is made once per statement shape, not once per value.
 */
const byStatement = new Map<string, SqlSummary>();

/**
 * The same frozen object for every text of one statement shape, whatever its literals.
 *
 * @example
 * summarizeSql("SELECT * FROM users WHERE id = 42 AND name = 'ann'");
 * // { operation: 'SELECT', collection: 'users', statement: 'SELECT * FROM users WHERE id = ? AND name = ?' }
 * summarizeSql('SELECT * FROM users WHERE id = 7') === summarizeSql('SELECT * FROM users WHERE id = 8'); // true
 */
export function summarizeSql(sql: string): SqlSummary {
  const cached = cache.get(sql);
  if (cached !== undefined) return cached;
  const statement = normalizeSql(sql);
  // Statements come from code, so their shapes are few; a bound keeps odd callers from growing these.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const known = byStatement.get(statement);
  if (known !== undefined) {
    cache.set(sql, known);
    return known;
  }
  const operation = /^\s*([a-zA-Z]+)/.exec(statement)?.[1]?.toUpperCase() ?? 'UNKNOWN';
  const table = /\b(?:from|into|update|join)\s+((?:"[^"]+"|[a-zA-Z_][\w$]*)(?:\.(?:"[^"]+"|[a-zA-Z_][\w$]*))?)/i.exec(statement)?.[1];
  const summary: SqlSummary = Object.freeze({ operation, collection: table?.replace(/"/g, ''), statement });
  if (byStatement.size >= CACHE_LIMIT) byStatement.clear();
  byStatement.set(statement, summary);
  cache.set(sql, summary);
  return summary;
}

/** Replaces literals with `?`: quoted strings, dollar-quoted strings, numbers, TRUE/FALSE/NULL stay keywords. */
export function normalizeSql(sql: string): string {
  const out = sql
    .replace(/\$([a-zA-Z_]\w*)?\$[\s\S]*?\$\1\$/g, '?')
    .replace(/[eE]?'(?:[^']|'')*'/g, '?')
    .replace(/(?<![\w$."])-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length > MAX_STATEMENT ? `${out.slice(0, MAX_STATEMENT)}...` : out;
}
