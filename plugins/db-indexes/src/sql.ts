import { QueryTypes, type Sequelize } from 'sequelize';

/** Quotes an SQL identifier: `quoteIdent('a"b')` is `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Rows of a SELECT with `$1...` bound to `bind`. */
export async function rows<T extends object>(sequelize: Sequelize, sql: string, bind: unknown[] = []): Promise<T[]> {
  return sequelize.query<T>(sql, { type: QueryTypes.SELECT, bind });
}

/** The node-postgres client behind a Sequelize connection (the parts used here). */
interface PgClient {
  processID?: number;
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * One connection held for a sequence of statements that must share a session: an advisory lock
 * and the builds made under it, `CREATE INDEX CONCURRENTLY` (never inside a transaction), `SET`s.
 */
export interface Session {
  /** The server process id of the connection, for `pg_cancel_backend`. */
  readonly pid: number;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * Runs `work` on one connection taken from `sequelize`'s pool and gives it back afterwards (or
 * destroys it when `work` failed, so a session left in an unknown state is never reused).
 *
 * @example
 * await withSession(sequelize, async (s) => { await s.query('SELECT pg_advisory_lock(1)'); ... });
 */
export async function withSession<T>(sequelize: Sequelize, work: (session: Session) => Promise<T>): Promise<T> {
  const manager = sequelize.connectionManager;
  const client = (await manager.getConnection({ type: 'write' })) as PgClient;
  const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
  const session: Session = {
    pid,
    query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
  };
  let ok = false;
  try {
    const result = await work(session);
    ok = true;
    return result;
  } finally {
    if (ok) manager.releaseConnection(client);
    else await manager.destroyConnection(client).catch(() => undefined);
  }
}

/** Milliseconds as PostgreSQL's `SET statement_timeout` takes them. */
export function msSetting(ms: number): string {
  return `${Math.max(0, Math.round(ms))}ms`;
}
