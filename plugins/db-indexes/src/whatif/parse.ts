/**
 * A strict parser of one `CREATE INDEX` statement for the what-if analysis. It accepts
 *   CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] table [USING btree|hash|brin|gist|gin]
 *     (column [ASC|DESC] [NULLS FIRST|LAST], ...) [INCLUDE (column, ...)] [WHERE predicate]
 * where columns are plain column names and the predicate is columns, literals, comparison and
 * boolean operators, IS [NOT] NULL/TRUE/FALSE, IN (...), BETWEEN, LIKE and casts to a few types.
 * Anything else (a second statement, a semicolon, a comment, a function call, a sub-select) is
 * refused with a message that names it. The statement run is rebuilt from the parsed parts,
 * every identifier quoted, never the text as sent.
 */

export interface ParsedIndex {
  unique: boolean;
  table: string;
  method: string;
  columns: { name: string; order?: 'ASC' | 'DESC'; nulls?: 'FIRST' | 'LAST' }[];
  include: string[];
  /** The predicate as tokens, identifiers still unquoted. */
  where: Token[];
}

export type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'keyword'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'op'; text: string };

export class WhatIfInputError extends Error {}

const METHODS = new Set(['btree', 'hash', 'brin', 'gist', 'gin']);
const PREDICATE_KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'true', 'false', 'in', 'between', 'like', 'ilike']);
const CAST_TYPES = new Set(['int', 'integer', 'bigint', 'smallint', 'text', 'varchar', 'timestamptz', 'timestamp', 'date', 'boolean', 'bool', 'numeric', 'interval']);
const OPERATORS = ['<=', '>=', '<>', '!=', '::', '=', '<', '>', '(', ')', ',', '-', '+'];

/** Splits SQL text into tokens; refuses `;`, comments, quoted identifiers and unknown characters. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === ';') throw new WhatIfInputError(`A semicolon at character ${i + 1}: give exactly one CREATE INDEX statement, without ';'.`);
    if (sql.startsWith('--', i) || sql.startsWith('/*', i)) throw new WhatIfInputError(`A comment at character ${i + 1}: remove it; comments are not accepted.`);
    if (ch === "'") {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= sql.length) throw new WhatIfInputError(`The string literal at character ${i + 1} is not closed.`);
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += sql[j];
        j += 1;
      }
      out.push({ kind: 'string', text });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
    if (word) {
      const lower = word[0].toLowerCase();
      out.push({ kind: 'ident', text: lower });
      i += word[0].length;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(sql.slice(i));
    if (num) {
      out.push({ kind: 'number', text: num[0] });
      i += num[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => sql.startsWith(o, i));
    if (op) {
      out.push({ kind: 'op', text: op });
      i += op.length;
      continue;
    }
    throw new WhatIfInputError(
      `Unexpected character ${JSON.stringify(ch)} at character ${i + 1}. Use plain column names (no quoted identifiers or expressions) and simple predicates.`,
    );
  }
  return out;
}

/**
 * Parses exactly one CREATE INDEX statement, or throws {@link WhatIfInputError} naming the problem.
 *
 * @example
 * parseCreateIndex('CREATE INDEX ON conversations (user_id, created_at DESC) WHERE status = \'failed\'');
 */
export function parseCreateIndex(sql: string): ParsedIndex {
  if (sql.trim() === '') throw new WhatIfInputError('The statement is empty: give one CREATE INDEX statement, such as CREATE INDEX ON conversations (user_id).');
  const tokens = tokenize(sql);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (w: string) => peek()?.kind === 'ident' && peek()!.text === w;
  const expectWord = (w: string, hint: string) => {
    if (!isWord(w)) throw new WhatIfInputError(`Expected ${w.toUpperCase()} ${describeAt(peek())}: ${hint}`);
    pos += 1;
  };
  const ident = (what: string): string => {
    const t = peek();
    if (t?.kind !== 'ident') throw new WhatIfInputError(`Expected ${what} ${describeAt(t)}.`);
    if (t.text.length > 63) throw new WhatIfInputError(`The ${what} '${t.text}' is longer than 63 characters.`);
    pos += 1;
    return t.text;
  };
  const op = (text: string, hint: string) => {
    const t = peek();
    if (t?.kind !== 'op' || t.text !== text) throw new WhatIfInputError(`Expected '${text}' ${describeAt(t)}: ${hint}`);
    pos += 1;
  };

  expectWord('create', 'the statement must be a CREATE INDEX statement.');
  const unique = isWord('unique');
  if (unique) pos += 1;
  expectWord('index', 'the statement must be a CREATE INDEX statement (CREATE TABLE, CREATE FUNCTION... are refused).');
  if (isWord('concurrently')) pos += 1;
  if (isWord('if')) {
    pos += 1;
    expectWord('not', 'write IF NOT EXISTS.');
    expectWord('exists', 'write IF NOT EXISTS.');
  }
  if (!isWord('on')) ident('index name');
  expectWord('on', 'give the table: CREATE INDEX [name] ON table (columns).');
  if (isWord('only')) pos += 1;
  const table = ident('table name');
  if (peek()?.kind === 'op' && peek()!.text === '.') throw new WhatIfInputError('Schema-qualified tables are not accepted: give the table name alone.');
  let method = 'btree';
  if (isWord('using')) {
    pos += 1;
    method = ident('index method');
    if (!METHODS.has(method)) throw new WhatIfInputError(`Unknown index method '${method}': use one of ${[...METHODS].join(', ')}.`);
  }
  op('(', 'list the columns in parentheses.');
  const columns: ParsedIndex['columns'] = [];
  for (;;) {
    const name = ident('column name (expressions are not accepted)');
    const column: ParsedIndex['columns'][number] = { name };
    if (isWord('asc') || isWord('desc')) {
      column.order = peek()!.text.toUpperCase() as 'ASC' | 'DESC';
      pos += 1;
    }
    if (isWord('nulls')) {
      pos += 1;
      if (!isWord('first') && !isWord('last')) throw new WhatIfInputError(`Expected FIRST or LAST after NULLS ${describeAt(peek())}.`);
      column.nulls = peek()!.text.toUpperCase() as 'FIRST' | 'LAST';
      pos += 1;
    }
    columns.push(column);
    if (peek()?.kind === 'op' && peek()!.text === ',') {
      pos += 1;
      continue;
    }
    op(')', 'close the column list, or separate columns with commas (expressions are not accepted).');
    break;
  }
  const include: string[] = [];
  if (isWord('include')) {
    pos += 1;
    op('(', 'list INCLUDE columns in parentheses.');
    for (;;) {
      include.push(ident('INCLUDE column name'));
      if (peek()?.kind === 'op' && peek()!.text === ',') {
        pos += 1;
        continue;
      }
      op(')', 'close the INCLUDE list.');
      break;
    }
  }
  let where: Token[] = [];
  if (isWord('where')) {
    pos += 1;
    where = tokens.slice(pos);
    pos = tokens.length;
    checkPredicate(where);
  }
  if (pos < tokens.length) throw new WhatIfInputError(`Unexpected ${describeAt(peek())} after the statement: give exactly one CREATE INDEX statement.`);
  return { unique, table, method, columns, include, where };
}

function checkPredicate(tokens: Token[]): void {
  if (tokens.length === 0) throw new WhatIfInputError('WHERE has no predicate.');
  let depth = 0;
  tokens.forEach((t, i) => {
    if (t.kind === 'op' && t.text === '(') {
      const before = tokens[i - 1];
      if (before?.kind === 'ident' && !PREDICATE_KEYWORDS.has(before.text)) {
        throw new WhatIfInputError(`Function calls are not accepted in the predicate ('${before.text}(...)'): compare columns with literals.`);
      }
      depth += 1;
    }
    if (t.kind === 'op' && t.text === ')') depth -= 1;
    if (depth < 0) throw new WhatIfInputError("The predicate has a ')' without its '('.");
    if (t.kind === 'ident' && tokens[i - 1]?.kind === 'op' && tokens[i - 1]!.text === '::') {
      if (!CAST_TYPES.has(t.text)) throw new WhatIfInputError(`Casts to '${t.text}' are not accepted: use one of ${[...CAST_TYPES].join(', ')}.`);
    }
    if (t.kind === 'ident' && (t.text === 'select' || t.text === 'from')) throw new WhatIfInputError('Sub-queries are not accepted in the predicate.');
  });
  if (depth !== 0) throw new WhatIfInputError("The predicate's parentheses do not match.");
}

function describeAt(t: Token | undefined): string {
  if (!t) return 'at the end of the statement';
  return t.kind === 'string' ? `at the string '${t.text}'` : `at '${t.text}'`;
}

/** Predicate identifiers that are neither keywords nor cast types: they must be columns. */
export function predicateColumns(p: ParsedIndex): string[] {
  return p.where
    .filter((t, i) => t.kind === 'ident' && !PREDICATE_KEYWORDS.has(t.text) && !(p.where[i - 1]?.kind === 'op' && p.where[i - 1]!.text === '::'))
    .map((t) => t.text);
}

/**
 * The statement to run, rebuilt from the parsed parts under `name`: identifiers quoted, strings
 * re-escaped, keywords upper-case.
 */
export function renderCreateIndex(p: ParsedIndex, name: string): string {
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const cols = p.columns.map((c) => [q(c.name), c.order, c.nulls ? `NULLS ${c.nulls}` : undefined].filter(Boolean).join(' '));
  let sql = `CREATE ${p.unique ? 'UNIQUE ' : ''}INDEX ${q(name)} ON ${q(p.table)} USING ${p.method} (${cols.join(', ')})`;
  if (p.include.length > 0) sql += ` INCLUDE (${p.include.map(q).join(', ')})`;
  if (p.where.length > 0) {
    const parts = p.where.map((t, i) => {
      if (t.kind === 'string') return `'${t.text.replaceAll("'", "''")}'`;
      if (t.kind === 'ident') {
        const isCast = p.where[i - 1]?.kind === 'op' && p.where[i - 1]!.text === '::';
        return PREDICATE_KEYWORDS.has(t.text) || isCast ? t.text.toUpperCase() : q(t.text);
      }
      return t.text;
    });
    sql += ` WHERE ${parts.join(' ').replaceAll(' :: ', '::')}`;
  }
  return sql;
}
