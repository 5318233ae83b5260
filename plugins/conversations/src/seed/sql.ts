/**
 * The generator's SQL. Every random choice is a hash of the row number and the seed value
 * (`hashint8extended`), never `random()`, so a chunk produces the same rows whenever and in
 * whatever order it runs: that is what makes a seed deterministic and a re-run idempotent.
 * Conversation ids are `md5(seed:n)` as a uuid; user ids are 1..users.
 *
 * Binds: `$1` seed, `$2` anchor (end of the year of timestamps), `$3` first row, `$4` last row,
 * `$5` user count, `$6` user permutation multiplier (coprime with the user count).
 */

/** Uniform in [0, 1) for row `g` and stream `k` (each choice draws from its own stream). */
const u = (k: number, g = 'g'): string =>
  `((hashint8extended(${g}::int8, $1::int8 * 64 + ${k}) & 9007199254740991)::float8 / 9007199254740992.0)`;


/** Pick from weighted choices with one uniform. */
function weighted(k: number, choices: readonly (readonly [string, number])[]): string {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const arms = choices.slice(0, -1).map(([value, w]) => {
    acc += w / total;
    return `WHEN ${u(k)} < ${acc.toFixed(6)} THEN ${value}`;
  });
  return `CASE ${arms.join(' ')} ELSE ${choices[choices.length - 1]![0]} END`;
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** AI models: name, share of traffic, milliseconds per completion token. */
export const SEED_MODELS = [
  ['gpt-4o-mini', 34, 6],
  ['gpt-4o', 20, 14],
  ['claude-3-5-sonnet', 15, 16],
  ['claude-3-5-haiku', 11, 7],
  ['gemini-1.5-flash', 9, 5],
  ['gemini-1.5-pro', 6, 18],
  ['llama-3.1-70b', 5, 11],
] as const;

/** Prompts and their answers, paired by position. */
const PROMPTS = [
  'Can you summarise this article for me?',
  'Write a short poem about the sea.',
  'How do I reverse a linked list in Python?',
  'What is the capital of Australia?',
  'Translate "good morning" into Japanese.',
  'Explain quantum entanglement like I am five.',
  'Give me a recipe for a quick vegetarian dinner.',
  'Why does my React component render twice?',
  'Draft a polite email asking for a deadline extension.',
  'What are the pros and cons of remote work?',
  'Help me plan a three-day trip to Lisbon.',
  'Fix the grammar in this paragraph, please.',
];
const RESPONSES = [
  'Here is a concise summary of the main points.',
  'Sure! Here is a short poem inspired by the waves.',
  'You can reverse it iteratively by re-pointing each node to its predecessor.',
  'The capital of Australia is Canberra.',
  'Good morning in Japanese is "ohayou gozaimasu".',
  'Imagine two magic coins that always land the same way, however far apart they are.',
  'Try a chickpea curry: it takes about twenty minutes.',
  'In development, StrictMode renders components twice to surface side effects.',
  'Here is a draft you can adapt to your situation.',
  'Remote work saves commuting time but can make collaboration harder.',
  'Day one: Alfama and the castle; day two: Belem; day three: Sintra.',
  'Here is the paragraph with the grammar corrected.',
];

export const INSERT_USERS = `
INSERT INTO users (id, username, is_premium, premium_until, is_blocked, message_count, tokens_used, created_at, updated_at)
SELECT g,
  CASE WHEN ${u(1)} < 0.9 THEN 'user_' || g END,
  ${u(2)} < 0.05,
  CASE WHEN ${u(2)} < 0.05 THEN date_trunc('milliseconds', $2::timestamptz + (${u(3)} * 425 - 60) * interval '1 day') END,
  ${u(4)} < 0.02,
  0, 0,
  date_trunc('milliseconds', $2::timestamptz - ${u(5)} * 400 * interval '1 day'),
  $2::timestamptz
FROM generate_series($3::int8, $4::int8) AS g
ON CONFLICT (id) DO NOTHING`;

/** The uniforms a conversation draws, each computed once per row: `r.u1` ... `r.u15`. */
const DRAWS = 15;
const draws = Array.from({ length: DRAWS }, (_, i) => `${u(i + 1)} AS u${i + 1}`).join(',\n    ');
/** Standard normal from two of the row's uniforms (Box-Muller). */
const normalOf = (a: number, b: number): string => `(sqrt(-2.0 * ln(1.0 - r.u${a})) * cos(2.0 * pi() * r.u${b}))`;
/** A weighted choice by one of the row's uniforms. */
function choose(k: number, choices: readonly (readonly [string, number])[]): string {
  return weighted(k, choices).replaceAll(u(k), `r.u${k}`);
}

// Draws: 1 user, 2 model, 3-4 age, 5 status, 6-7 prompt tokens, 8-9 completion tokens, 10-11 time,
// 12-13 failure, 14 prompt and its answer.
export const INSERT_CONVERSATIONS = `
INSERT INTO conversations (id, user_id, ai_model, user_message, ai_response, prompt_tokens, completion_tokens,
  total_tokens, status, processing_time_ms, created_at)
SELECT id, user_id, ai_model, user_message,
  CASE WHEN status = 'completed' THEN ai_response END,
  prompt_tokens, completion_tokens, prompt_tokens + completion_tokens, status,
  CASE
    WHEN status IN ('pending', 'processing') THEN NULL
    WHEN status = 'failed' AND u12 < 0.5 THEN 30000 + floor(u13 * 30000)::int
    WHEN status = 'failed' THEN 20 + floor(u13 * 500)::int
    ELSE LEAST(120000, round((150 + completion_tokens * ms_per_token) * exp(0.35 * normal_time)))::int
  END,
  created_at
FROM (
  SELECT md5($1::text || ':' || g)::uuid AS id, r.u12, r.u13, ${normalOf(10, 11)} AS normal_time,
    -- Skewed activity: a cube of a uniform crowds rows onto few users; the permutation spreads them over the id range.
    1 + (floor($5::int8 * power(r.u1, 3))::int8 * $6::int8) % $5::int8 AS user_id,
    m.name AS ai_model, m.ms_per_token, st.status,
    LEAST(32000, GREATEST(1, round(exp(ln(120) + 0.9 * ${normalOf(6, 7)}))))::int AS prompt_tokens,
    CASE WHEN st.status = 'completed'
      THEN LEAST(32000, GREATEST(1, round(exp(ln(250) + 0.8 * ${normalOf(8, 9)}))))::int ELSE 0 END AS completion_tokens,
    (ARRAY[${PROMPTS.map(quote).join(', ')}])[1 + floor(r.u14 * ${PROMPTS.length})::int] AS user_message,
    (ARRAY[${RESPONSES.map(quote).join(', ')}])[1 + floor(r.u14 * ${RESPONSES.length})::int] AS ai_response,
    -- A year of days, denser towards the anchor (growth), each day busiest around 19:00 UTC.
    date_trunc('milliseconds', $2::timestamptz
      - (floor(365 * (1 - sqrt(r.u3))) + 1) * interval '1 day'
      + ((r.u4 + 0.6 * sin(2 * pi() * r.u4) / (2 * pi()) + 0.3)::numeric % 1) * interval '1 day') AS created_at
  FROM generate_series($3::int8, $4::int8) AS g
  -- OFFSET 0 keeps the planner from inlining the draws into every reference: each hash runs once.
  CROSS JOIN LATERAL (SELECT
    ${draws} OFFSET 0) AS r
  CROSS JOIN LATERAL (SELECT ${choose(2, SEED_MODELS.map(([name, weight]) => [quote(name), weight] as const))} AS name) AS chosen
  JOIN (VALUES ${SEED_MODELS.map(([name, , ms]) => `(${quote(name)}, ${ms})`).join(', ')}) AS m (name, ms_per_token)
    ON m.name = chosen.name
  CROSS JOIN LATERAL (SELECT ${choose(5, [["'completed'", 93], ["'failed'", 4], ["'processing'", 2], ["'pending'", 1]])} AS status) AS st
) AS s
ON CONFLICT (id) DO NOTHING`;

/**
 * Makes users' counters and first/last activity agree with their conversations (all of them, not
 * only seeded ones), for users `$1..$2`. Rows already right are left alone, so a re-run writes nothing.
 */
export const UPDATE_USER_COUNTERS = `
UPDATE users AS u SET
  message_count = s.conversations,
  tokens_used = s.tokens,
  last_activity_at = s.last_at,
  created_at = LEAST(u.created_at, s.first_at),
  updated_at = GREATEST(u.updated_at, s.last_at)
FROM (
  SELECT user_id, count(*)::int AS conversations, sum(total_tokens)::int8 AS tokens,
    max(created_at) AS last_at, min(created_at) AS first_at
  FROM conversations
  WHERE user_id BETWEEN $1 AND $2
  GROUP BY user_id
) AS s
WHERE u.id = s.user_id
  AND (u.message_count, u.tokens_used, u.last_activity_at, LEAST(u.created_at, s.first_at))
    IS DISTINCT FROM (s.conversations, s.tokens, s.last_at, u.created_at)`;
