/**
 * Rows in PostgreSQL's COPY text format: one line per row, columns separated by tabs, `\N` for
 * NULL, and backslash, tab, newline and carriage return escaped in values.
 */
import { conversationRow, type NewConversation } from '@plugboard/plugin-conversations';

const SPECIAL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One value as COPY text reads it.
 *
 * @example
 * copyValue('a\tb'); // 'a\\tb'
 * copyValue(null);   // '\\N'
 */
export function copyValue(value: string | number | Date | null): string {
  if (value === null) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return String(value);
  return value.replace(SPECIAL, (c) => ESCAPES[c]!);
}

/** One conversation as a line of COPY text, ending with a newline. */
export function copyLine(c: NewConversation): string {
  return conversationRow(c).map(copyValue).join('\t') + '\n';
}

/**
 * COPY text of `rows` in chunks of about `chunkBytes`, so a large batch is streamed rather than
 * built as one string.
 */
export function* copyChunks(rows: readonly NewConversation[], chunkBytes = 64 * 1024): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += copyLine(row);
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
