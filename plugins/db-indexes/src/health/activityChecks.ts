import { parseDuration } from '@plugboard/plugin-api';
import { rows } from '../sql.js';
import type { CheckContext, HealthCheck } from './types.js';

export type StatStatementsState = 'ready' | 'not-installed' | 'not-preloaded';

/** Whether pg_stat_statements can be read in this database. */
export async function statStatementsState({ sequelize }: Pick<CheckContext, 'sequelize'>): Promise<StatStatementsState> {
  const [r] = await rows<{ installed: boolean; preloaded: boolean }>(
    sequelize,
    `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS installed,
       current_setting('shared_preload_libraries') ~ '(^|[\\s,])"?pg_stat_statements"?($|[\\s,])' AS preloaded`,
  );
  if (!r?.preloaded) return 'not-preloaded';
  return r.installed ? 'ready' : 'not-installed';
}

/** The advice when pg_stat_statements cannot be read. */
export function statStatementsAdvice(state: StatStatementsState): string {
  return state === 'not-preloaded'
    ? "Load it: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements' (keep any libraries already listed), restart PostgreSQL, then CREATE EXTENSION pg_stat_statements in this database. The embedded server of npm start preloads it."
    : 'The library is loaded; run CREATE EXTENSION pg_stat_statements in this database (as a superuser or a database owner).';
}

/** Statements slow on average and called often, from pg_stat_statements (PgHero's slow queries). */
export const slowQueries: HealthCheck = async (ctx) => {
  const state = await statStatementsState(ctx);
  if (state !== 'ready') {
    return [
      {
        kind: 'slow-queries-unavailable',
        severity: 'info',
        subject: 'pg_stat_statements',
        message: `Slow queries cannot be listed: pg_stat_statements is ${state === 'not-preloaded' ? 'not in shared_preload_libraries' : 'loaded but not installed in this database'}.`,
        advice: statStatementsAdvice(state),
      },
    ];
  }
  const found = await rows<{ query: string; calls: string; mean: number; total: number }>(
    ctx.sequelize,
    `SELECT query, calls, mean_exec_time AS mean, total_exec_time AS total FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls >= $1 AND mean_exec_time >= $2
     ORDER BY total_exec_time DESC LIMIT 20`,
    [ctx.thresholds.slowQueryCalls, ctx.thresholds.slowQueryMs],
  );
  return found.map((r) => ({
    kind: 'slow-query',
    severity: 'warning',
    subject: oneLine(r.query),
    message: `Called ${r.calls} times, ${r.mean.toFixed(1)} ms on average (${(r.total / 1000).toFixed(1)} s in all).`,
    advice: 'EXPLAIN (ANALYZE, BUFFERS) it with typical parameters; if it scans a table sequentially, try an index with plugboard db whatif "CREATE INDEX ..." and declare the one that helps.',
  }));
};

/** Queries running for longer than `thresholds.longRunning`. */
export const longRunningQueries: HealthCheck = async ({ sequelize, thresholds }) => {
  const found = await rows<{ pid: number; seconds: number; query: string; user: string | null }>(
    sequelize,
    `SELECT pid, extract(epoch FROM now() - query_start)::float8 AS seconds, query, usename AS "user"
     FROM pg_stat_activity
     WHERE state = 'active' AND pid <> pg_backend_pid() AND datname = current_database() AND backend_type = 'client backend'
       AND now() - query_start > make_interval(secs => $1)
     ORDER BY query_start`,
    [parseDuration(thresholds.longRunning, 'thresholds.longRunning') / 1000],
  );
  return found.map((r) => ({
    kind: 'long-running-query',
    severity: 'warning',
    subject: `pid ${r.pid}`,
    message: `Query running for ${r.seconds.toFixed(0)} s (user ${r.user ?? '?'}): ${oneLine(r.query)}`,
    advice: `If it should not take that long, cancel it with SELECT pg_cancel_backend(${r.pid}); a long query holds back VACUUM and may hold locks others wait for.`,
  }));
};

/** Connections that opened a transaction and went quiet (they hold locks and old snapshots). */
export const idleInTransaction: HealthCheck = async ({ sequelize, thresholds }) => {
  const found = await rows<{ pid: number; seconds: number; query: string; app: string }>(
    sequelize,
    `SELECT pid, extract(epoch FROM now() - state_change)::float8 AS seconds, query, application_name AS app
     FROM pg_stat_activity
     WHERE state IN ('idle in transaction', 'idle in transaction (aborted)') AND datname = current_database()
       AND now() - state_change > make_interval(secs => $1)
     ORDER BY state_change`,
    [parseDuration(thresholds.idleInTransaction, 'thresholds.idleInTransaction') / 1000],
  );
  return found.map((r) => ({
    kind: 'idle-in-transaction',
    severity: 'warning',
    subject: `pid ${r.pid}`,
    message: `Connection ${r.pid}${r.app ? ` (${r.app})` : ''} has been idle in a transaction for ${r.seconds.toFixed(0)} s; last statement: ${oneLine(r.query)}`,
    advice: `Find the code that leaves the transaction open (a missing commit or rollback); set idle_in_transaction_session_timeout, or end it with SELECT pg_terminate_backend(${r.pid}). It blocks VACUUM and holds its locks.`,
  }));
};

/**
 * The statement on one line, with its literal values replaced by `?`: the report is served to
 * anyone who may read /api/db/report, and another session's SQL can carry passwords or user data.
 */
function oneLine(sql: string): string {
  const flat = withoutLiterals(sql).replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

/** `sql` with string literals (also E'' and $$ quoted) and numbers replaced by `?`. */
export function withoutLiterals(sql: string): string {
  return sql
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, '?')
    .replace(/[Ee]?'(?:[^']|'')*'?/g, '?')
    .replace(/(?<![\w$"])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w"])/g, '?');
}
