import { PlugboardError } from '@plugboard/plugin-api';
import { QueryTypes, type Sequelize } from 'sequelize';
import { INSERT_CONVERSATIONS, INSERT_USERS, UPDATE_USER_COUNTERS } from './sql.js';

export interface SeedOptions {
  sequelize: Sequelize;
  /** Users to create: ids 1..users. */
  users: number;
  conversations: number;
  /** The same seed value makes the same data; running it again adds nothing. Default 1. */
  seed?: number;
  /** End of the year of timestamps. Default: the start of the current UTC day (fixed through the day, never in the future). */
  until?: Date;
  /** Rows per statement; each chunk is one progress step. Default 50,000. */
  chunkSize?: number;
  /** Chunks run at once, each on its own connection. Default 2. */
  concurrency?: number;
  /** Called after each chunk. */
  onProgress?: (progress: SeedProgress) => void;
  signal?: AbortSignal;
}

export type SeedPhase = 'users' | 'conversations' | 'counters';

export interface SeedProgress {
  phase: SeedPhase;
  /** Rows generated so far (users + conversations); `total` once the counters are done. */
  done: number;
  total: number;
}

export interface SeedResult {
  usersInserted: number;
  conversationsInserted: number;
  usersUpdated: number;
  durationMs: number;
}

const PRIMES = [1_000_003, 999_983, 2_000_003, 15_485_863];

/**
 * Fills `users` and `conversations` with realistic, skewed data, set-based: one INSERT ... SELECT
 * over `generate_series` per chunk, then one UPDATE that sets users' counters from their
 * conversations. Deterministic and idempotent per seed value (see ./sql.ts). The tables must exist:
 * run the plugin's migrations first.
 *
 * @example
 * const result = await seed({ sequelize, users: 100_000, conversations: 1_000_000, seed: 7 });
 */
export async function seed(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const { sequelize, users, conversations } = options;
  const seedValue = options.seed ?? 1;
  const chunk = options.chunkSize ?? 50_000;
  checkCount('users', users, 1);
  checkCount('conversations', conversations, 0);
  checkCount('seed', seedValue, 0);
  checkCount('chunkSize', chunk, 1);
  const concurrency = options.concurrency ?? 2;
  checkCount('concurrency', concurrency, 1);
  await requireTables(sequelize);

  const anchor = options.until ?? startOfUtcDay();
  const multiplier = PRIMES.find((p) => users % p !== 0)!;
  const total = users + conversations;
  let done = 0;
  const report = (phase: SeedPhase): void => options.onProgress?.({ phase, done, total });

  const run = async (sql: string, bind: unknown[]): Promise<number> => {
    options.signal?.throwIfAborted();
    const [, affected] = await sequelize.query(sql, { type: QueryTypes.UPDATE, bind });
    return Number(affected);
  };

  const usersInserted = await inChunks(users, chunk, concurrency, async (lo, hi) => {
    const inserted = await run(INSERT_USERS, [seedValue, anchor, lo, hi]);
    done += hi - lo + 1;
    report('users');
    return inserted;
  });
  const conversationsInserted = await inChunks(conversations, chunk, concurrency, async (lo, hi) => {
    const inserted = await run(INSERT_CONVERSATIONS, [seedValue, anchor, lo, hi, users, multiplier]);
    done += hi - lo + 1;
    report('conversations');
    return inserted;
  });
  const usersUpdated = await run(UPDATE_USER_COUNTERS, [1, users]);
  report('counters');
  return { usersInserted, conversationsInserted, usersUpdated, durationMs: Math.round(performance.now() - started) };
}

/** Runs `work` over 1..count in chunks, `concurrency` at a time; sums what it returns. */
async function inChunks(
  count: number,
  chunk: number,
  concurrency: number,
  work: (lo: number, hi: number) => Promise<number>,
): Promise<number> {
  let next = 1;
  let sum = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next <= count && !failed) {
      const lo = next;
      const hi = Math.min(count, lo + chunk - 1);
      next = hi + 1;
      try {
        const n = await work(lo, hi); // not `sum += await`: that reads `sum` before the await
        sum += n;
      } catch (err) {
        failed = true; // the other workers finish their chunk and take no new one
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sum;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new PlugboardError('invalidArgument', `Seed option '${name}' is ${value}: use a whole number of at least ${min}.`);
  }
}

async function requireTables(sequelize: Sequelize): Promise<void> {
  const [row] = await sequelize.query<{ users: string | null; conversations: string | null }>(
    `SELECT to_regclass('users')::text AS users, to_regclass('conversations')::text AS conversations`,
    { type: QueryTypes.SELECT },
  );
  if (row?.users == null || row.conversations == null) {
    throw new PlugboardError(
      'invalidState',
      "Tables 'users' and 'conversations' do not exist: run the 'conversations' plugin's migrations first (start Plugboard once with the plugin enabled).",
    );
  }
}

function startOfUtcDay(): Date {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}
