/**
 * The domain's read queries, each in one place and named, so plugins/db-indexes can EXPLAIN
 * exactly what the service runs. Every list is keyset-paginated: the cursor columns are bounds in
 * the WHERE clause (never OFFSET), and the first page passes the open end (`'infinity'`, the
 * largest uuid...) so each query has one shape. Timestamp keys are also selected as text
 * (`cursor_key`): PostgreSQL keeps microseconds, a JS Date only milliseconds, and a cursor that
 * lost them would skip rows.
 */

/** A parameterised read query; `$1...` bind to `params` in order. */
export interface NamedQuery {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
  /** Names of `$1`, `$2`... in order. */
  readonly params: readonly string[];
  /** Bind values of a typical call, for EXPLAIN on seeded data. */
  sample(): unknown[];
}

const CONVERSATION_COLUMNS =
  'id, user_id, ai_model, user_message, ai_response, prompt_tokens, completion_tokens, total_tokens, status, processing_time_ms, created_at';
const USER_COLUMNS =
  'id, username, is_premium, premium_until, is_blocked, last_activity_at, message_count, tokens_used, created_at, updated_at';

/** The largest uuid: the open end of a descending keyset on (x, id). */
export const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
const DAY_MS = 86_400_000;
const daysAgo = (days: number): Date => new Date(Date.now() - days * DAY_MS);

function query(q: NamedQuery): NamedQuery {
  return Object.freeze(q);
}

export const queries = {
  /** Index 1: conversations (user_id, created_at DESC). */
  userConversations: query({
    name: 'userConversations',
    description: "A user's latest conversations, newest first",
    sql: `SELECT ${CONVERSATION_COLUMNS}, created_at::text AS cursor_key FROM conversations
WHERE user_id = $1 AND created_at <= $2 AND (created_at < $2 OR id < $3)
ORDER BY created_at DESC, id DESC
LIMIT $4`,
    params: ['userId', 'beforeCreatedAt', 'beforeId', 'limit'],
    sample: () => [1, 'infinity', MAX_UUID, 20],
  }),
  /**
   * Index 2: conversations (status, processing_time_ms), scanned backwards: slowest first, rows
   * without a processing time (pending, processing) before all others. A minimum of 0 keeps them;
   * a positive minimum drops them (an unknown time cannot meet it). The cursor's key is null while
   * the previous page ended among those rows; the first page passes a null key and the largest uuid.
   */
  conversationsByStatus: query({
    name: 'conversationsByStatus',
    description: 'Conversations of one status at or above a processing time, slowest first, unknown times first',
    sql: `SELECT ${CONVERSATION_COLUMNS} FROM conversations
WHERE status = $1 AND (processing_time_ms >= $2 OR (processing_time_ms IS NULL AND $2 = 0))
  AND (CASE WHEN $3::int IS NULL THEN processing_time_ms IS NOT NULL OR id < $4
       ELSE processing_time_ms < $3 OR (processing_time_ms = $3 AND id < $4) END)
ORDER BY processing_time_ms DESC NULLS FIRST, id DESC
LIMIT $5`,
    params: ['status', 'minProcessingMs', 'beforeProcessingMs', 'beforeId', 'limit'],
    sample: () => ['failed', 5000, null, MAX_UUID, 50],
  }),
  /** Index 3: conversations (ai_model, created_at) INCLUDE (total_tokens). */
  modelAnalytics: query({
    name: 'modelAnalytics',
    description: 'Conversations and tokens of one AI model over a time range',
    sql: `SELECT ai_model, count(*)::int AS conversations, coalesce(sum(total_tokens), 0)::bigint AS total_tokens
FROM conversations
WHERE ai_model = $1 AND created_at >= $2 AND created_at < $3
GROUP BY ai_model`,
    params: ['aiModel', 'from', 'to'],
    sample: () => ['gpt-4o', daysAgo(30), new Date()],
  }),
  /** Index 7: conversations (created_at) INCLUDE (ai_model, total_tokens). */
  allModelAnalytics: query({
    name: 'allModelAnalytics',
    description: 'Conversations and tokens per AI model over a time range',
    sql: `SELECT ai_model, count(*)::int AS conversations, coalesce(sum(total_tokens), 0)::bigint AS total_tokens
FROM conversations
WHERE created_at >= $1 AND created_at < $2
GROUP BY ai_model
ORDER BY conversations DESC, ai_model`,
    params: ['from', 'to'],
    // A week, as for dailyCounts: a month is about a sixth of the table, summed whatever the plan.
    sample: () => [daysAgo(7), new Date()],
  }),
  /** Index 4: conversations (user_id) INCLUDE (total_tokens). */
  userTokenTotals: query({
    name: 'userTokenTotals',
    description: "A user's conversation count and token total",
    sql: `SELECT count(*)::int AS conversations, coalesce(sum(total_tokens), 0)::bigint AS total_tokens
FROM conversations
WHERE user_id = $1`,
    params: ['userId'],
    sample: () => [1],
  }),
  /** Index 5: users (premium_until) INCLUDE (id) WHERE is_premium AND NOT is_blocked. */
  activePremiumUsers: query({
    name: 'activePremiumUsers',
    description: 'Premium users who are not blocked and whose premium has not expired, soonest expiry first',
    sql: `SELECT id, premium_until, premium_until::text AS cursor_key FROM users
WHERE is_premium AND NOT is_blocked AND premium_until > $1
  AND premium_until >= $2 AND (premium_until > $2 OR id > $3)
ORDER BY premium_until, id
LIMIT $4`,
    params: ['at', 'afterPremiumUntil', 'afterId', 'limit'],
    sample: () => [new Date(), '-infinity', 0, 50],
  }),
  /** Index 6: users (last_activity_at DESC). */
  recentlyActiveUsers: query({
    name: 'recentlyActiveUsers',
    description: 'Users by last activity, most recent first',
    sql: `SELECT ${USER_COLUMNS}, last_activity_at::text AS cursor_key FROM users
WHERE last_activity_at <= $1 AND (last_activity_at < $1 OR id < $2)
ORDER BY last_activity_at DESC, id DESC
LIMIT $3`,
    params: ['beforeLastActivityAt', 'beforeId', 'limit'],
    sample: () => ['infinity', Number.MAX_SAFE_INTEGER, 50],
  }),
  /** Index 7: conversations (created_at) INCLUDE (ai_model, total_tokens). */
  dailyCounts: query({
    name: 'dailyCounts',
    description: 'Conversations and tokens per UTC day over a time range',
    // Grouped by the date itself and formatted once per day afterwards: to_char on every row
    // and a sort of text keys cost more than reading the rows from the index. Ordered by the
    // text (the same order for YYYY-MM-DD), so the planner hashes the rows into days and sorts
    // only the days, instead of sorting every row to group them.
    sql: `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, d.conversations, d.total_tokens
FROM (
  SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
    count(*)::int AS conversations, coalesce(sum(total_tokens), 0)::bigint AS total_tokens
  FROM conversations
  WHERE created_at >= $1 AND created_at < $2
  GROUP BY 1
) d
ORDER BY 1`,
    params: ['from', 'to'],
    // A week, as a dashboard shows it. Over 30 days of a table that grows the way the seed does,
    // the range holds about a sixth of all rows: summing those dominates whatever index is used.
    sample: () => [daysAgo(7), new Date()],
  }),
  /** Index 8: users (id) WHERE is_blocked. */
  blockedUsers: query({
    name: 'blockedUsers',
    description: 'Blocked users by id',
    sql: `SELECT ${USER_COLUMNS} FROM users
WHERE is_blocked AND id > $1
ORDER BY id
LIMIT $2`,
    params: ['afterId', 'limit'],
    sample: () => [0, 50],
  }),
} as const satisfies Record<string, NamedQuery>;

export type QueryName = keyof typeof queries;
