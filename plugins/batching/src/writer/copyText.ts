/**
 * Rows in PostgreSQL's COPY text format: one line per row, columns separated by tabs, `\N` for
 * NULL, and backslash, tab, newline and carriage return escaped in values.
 */
import type { NewConversation } from '@plugboard/plugin-conversations';

/** The columns of `conversations`, in the order the COPY and the unnest arrays carry them. */
export const COLUMNS = [
  'id',
  'user_id',
  'ai_model',
  'user_message',
  'ai_response',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'status',
  'processing_time_ms',
  'created_at',
] as const;

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
  return (
    [
      c.id,
      c.userId,
      c.aiModel,
      c.userMessage,
      c.aiResponse,
      c.promptTokens,
      c.completionTokens,
      c.totalTokens,
      c.status,
      c.processingTimeMs,
      c.createdAt,
    ]
      .map(copyValue)
      .join('\t') + '\n'
  );
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
