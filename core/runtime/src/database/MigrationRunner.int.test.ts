import { pino } from 'pino';
import { QueryTypes, Sequelize } from 'sequelize';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PlugboardError } from '@plugboard/plugin-api';
import type { PluginMigration } from '@plugboard/plugin-api';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { pendingMigrations, runMigrations } from './MigrationRunner.js';

const logger = pino({ level: 'silent' });
const open: TestDatabase[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  open.push(db);
  return db;
}

afterAll(async () => {
  await Promise.all(open.map((db) => db.close()));
});

/** A migration that creates table `name` and records the order it ran in. */
function createTable(name: string, ran: string[]): PluginMigration {
  return {
    name,
    async up({ sequelize }) {
      ran.push(name);
      await sequelize.query(`CREATE TABLE "${name}" (id int)`);
    },
  };
}

async function tables(db: TestDatabase): Promise<string[]> {
  const rows = await db.sequelize.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'plugboard_migrations' ORDER BY tablename",
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.tablename);
}

describe('runMigrations', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await freshDatabase();
  });

  it('applies migrations in array order, each once', async () => {
    const ran: string[] = [];
    const migrations = [createTable('m_b', ran), createTable('m_a', ran), createTable('m_c', ran)];

    expect(await pendingMigrations(db.sequelize, 'demo', migrations)).toEqual(['demo:m_b', 'demo:m_a', 'demo:m_c']);
    expect(await runMigrations(db.sequelize, 'demo', migrations, logger)).toEqual({ applied: ['demo:m_b', 'demo:m_a', 'demo:m_c'] });
    expect(ran).toEqual(['m_b', 'm_a', 'm_c']);

    expect(await runMigrations(db.sequelize, 'demo', migrations, logger)).toEqual({ applied: [] });
    expect(ran).toEqual(['m_b', 'm_a', 'm_c']);
    expect(await pendingMigrations(db.sequelize, 'demo', migrations)).toEqual([]);

    const stored = await db.sequelize.query<{ name: string }>('SELECT name FROM plugboard_migrations ORDER BY name', { type: QueryTypes.SELECT });
    expect(stored.map((r) => r.name)).toEqual(['demo:m_a', 'demo:m_b', 'demo:m_c']);
  });

  it('applies only the new migrations when a plugin adds some', async () => {
    const ran: string[] = [];
    await runMigrations(db.sequelize, 'demo', [createTable('t1', ran)], logger);
    const next = [createTable('t1', ran), createTable('t2', ran)];
    expect(await pendingMigrations(db.sequelize, 'demo', next)).toEqual(['demo:t2']);
    expect(await runMigrations(db.sequelize, 'demo', next, logger)).toEqual({ applied: ['demo:t2'] });
    expect(ran).toEqual(['t1', 't2']);
  });

  it('keeps the migrations of plugins apart by name', async () => {
    const ran: string[] = [];
    await runMigrations(db.sequelize, 'alpha', [createTable('alpha_t', ran)], logger);
    const beta: PluginMigration = { name: 'alpha_t', up: async () => void ran.push('beta') };
    expect(await runMigrations(db.sequelize, 'beta', [beta], logger)).toEqual({ applied: ['beta:alpha_t'] });
    expect(ran).toEqual(['alpha_t', 'beta']);
  });

  it('stops at a failing migration, keeping the ones before it', async () => {
    const ran: string[] = [];
    const failing: PluginMigration = {
      name: '0002-broken',
      up: ({ sequelize }) => sequelize.query('CREATE TABLE broken (id int REFERENCES nowhere(id))').then(() => undefined),
    };
    const migrations = [createTable('t_ok', ran), failing, createTable('t_never', ran)];

    const error = await runMigrations(db.sequelize, 'demo', migrations, logger).catch((err: unknown) => err);
    expect(PlugboardError.is(error, 'pluginStartFailed')).toBe(true);
    expect((error as Error).message).toBe(
      'Migration \'demo:0002-broken\' failed: relation "nowhere" does not exist. Fix the migration; the ones before it stay applied.',
    );
    expect(await tables(db)).toEqual(['t_ok']);
    expect(await pendingMigrations(db.sequelize, 'demo', migrations)).toEqual(['demo:0002-broken', 'demo:t_never']);
  });

  it('rejects two migrations with one name', async () => {
    const ran: string[] = [];
    const error = await runMigrations(db.sequelize, 'demo', [createTable('x', ran), createTable('x', ran)], logger).catch((err: unknown) => err);
    expect(PlugboardError.is(error, 'pluginInvalid')).toBe(true);
    expect((error as Error).message).toBe("Plugin 'demo' declares migration 'x' twice. Give each migration a unique name.");
    expect(ran).toEqual([]);
  });

  it('applies each migration once when two processes start at the same time', async () => {
    // Two pools stand for two app instances. The first migration waits until both runs have
    // asked for the lock (a deterministic sync point: pg_locks shows the second one waiting).
    const other = new Sequelize(db.url, { dialect: 'postgres', logging: false });
    try {
      const counts = new Map<string, number>();
      const count = (name: string): void => void counts.set(name, (counts.get(name) ?? 0) + 1);
      const migrations: PluginMigration[] = [
        {
          name: 'first',
          async up({ sequelize }) {
            count('first');
            await waitForLockWaiter(sequelize);
            await sequelize.query('CREATE TABLE first_t (id int)');
          },
        },
        {
          name: 'second',
          async up({ sequelize }) {
            count('second');
            await sequelize.query('CREATE TABLE second_t (id int)');
          },
        },
      ];
      const [a, b] = await Promise.all([
        runMigrations(db.sequelize, 'demo', migrations, logger),
        runMigrations(other, 'demo', migrations, logger),
      ]);
      expect([a.applied, b.applied].sort((x, y) => y.length - x.length)).toEqual([['demo:first', 'demo:second'], []]);
      expect(Object.fromEntries(counts)).toEqual({ first: 1, second: 1 });
      expect(await tables(db)).toEqual(['first_t', 'second_t']);
    } finally {
      await other.close();
    }
  });

  it('runs the migrations of plugins started side by side in turn on a pool of two connections', async () => {
    // Each run holds one connection for its lock and needs another for its migrations: two runs
    // at once on a two-connection pool (the size of the no-timeout pool) waited on each other.
    const small = new Sequelize(db.url, { dialect: 'postgres', logging: false, pool: { max: 2, acquire: 3000 } });
    try {
      const ran: string[] = [];
      const [a, b] = await Promise.all([
        runMigrations(small, 'alpha', [createTable('alpha_t', ran)], logger),
        runMigrations(small, 'beta', [createTable('beta_t', ran)], logger),
      ]);
      expect(a.applied).toEqual(['alpha:alpha_t']);
      expect(b.applied).toEqual(['beta:beta_t']);
      expect(await tables(db)).toEqual(expect.arrayContaining(['alpha_t', 'beta_t']));
    } finally {
      await small.close();
    }
  });
});

/** Resolves once some session waits for an advisory lock in this database. */
async function waitForLockWaiter(sequelize: Sequelize): Promise<void> {
  for (;;) {
    const [row] = await sequelize.query<{ waiting: string }>(
      "SELECT count(*) AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      { type: QueryTypes.SELECT },
    );
    if (Number(row?.waiting) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
