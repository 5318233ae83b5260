/**
 * Plugin schema migrations, run with umzug and recorded in one table for all plugins, each row
 * named `<plugin>:<name>`. Several instances may start at once against one database (see
 * DESIGN.md, "Scale past one machine"), so a run holds a PostgreSQL advisory lock: the second
 * instance waits, then finds everything applied.
 */
import type { Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import { MigrationError, SequelizeStorage, Umzug } from 'umzug';
import { PlugboardError } from '@plugboard/plugin-api';
import type { PluginMigration } from '@plugboard/plugin-api';
import { serialize } from '../util/serialize.js';

/** The table recording applied migrations. */
export const MIGRATIONS_TABLE = 'plugboard_migrations';
/** The advisory lock key held while migrations run ('plug_mig' in ASCII). */
export const MIGRATION_LOCK_KEY = '8100978916575766887';

/**
 * Applies the migrations of `plugin` not applied yet, in array order, and returns the stored
 * names of those it applied. A failing migration stops the run; those before it stay applied.
 *
 * The lock is transaction-scoped on a connection of its own, so it is released however the run
 * ends; the migrations themselves run on other pool connections, outside that transaction (so
 * they may use `CREATE INDEX CONCURRENTLY`). The pool therefore needs at least two connections.
 * Runs on one Sequelize instance take turns in this process: plugins that start side by side
 * would otherwise each hold a lock connection while waiting for a second one, and on a small
 * pool wait on each other until the acquire timeout.
 *
 * @example
 * const { applied } = await runMigrations(db.sequelize, 'conversations', plugin.migrations ?? [], logger);
 * // applied: ['conversations:0001-create-users', 'conversations:0002-create-conversations']
 */
export async function runMigrations(
  sequelize: Sequelize,
  plugin: string,
  migrations: readonly PluginMigration[],
  logger: Logger,
): Promise<{ applied: string[] }> {
  assertUniqueNames(plugin, migrations);
  if (migrations.length === 0) return { applied: [] };
  let turn = turns.get(sequelize);
  if (turn === undefined) turns.set(sequelize, (turn = serialize()));
  return turn(() => applyLocked(sequelize, plugin, migrations, logger));
}

/** One run at a time per Sequelize instance (see runMigrations). */
const turns = new WeakMap<Sequelize, ReturnType<typeof serialize>>();

async function applyLocked(
  sequelize: Sequelize,
  plugin: string,
  migrations: readonly PluginMigration[],
  logger: Logger,
): Promise<{ applied: string[] }> {
  return sequelize.transaction(async (transaction) => {
    await sequelize.query('SELECT pg_advisory_xact_lock(:key)', {
      replacements: { key: MIGRATION_LOCK_KEY },
      transaction,
    });
    const umzug = new Umzug({
      migrations: migrations.map((m) => ({
        name: storedName(plugin, m),
        up: () => m.up({ sequelize }),
        ...(m.down ? { down: async () => m.down?.({ sequelize }) } : {}),
      })),
      storage: storage(sequelize),
      logger: umzugLogger(logger),
    });
    try {
      const done = await umzug.up();
      return { applied: done.map((m) => m.name) };
    } catch (err) {
      if (!(err instanceof MigrationError)) throw err;
      const cause: unknown = err.cause;
      const reason = (cause instanceof Error ? cause.message : String(cause)).trim().replace(/\.$/, '');
      throw new PlugboardError(
        'pluginStartFailed',
        `Migration '${err.migration.name}' failed: ${reason}. Fix the migration; the ones before it stay applied.`,
        { cause, details: { plugin, migration: err.migration.name } },
      );
    }
  });
}

/**
 * The stored names of `plugin`'s migrations not applied yet, in run order, without applying
 * anything or creating the table (for `plugboard migrate --dry-run`).
 *
 * @example
 * await pendingMigrations(db.sequelize, 'conversations', migrations); // ['conversations:0003-add-status']
 */
export async function pendingMigrations(
  sequelize: Sequelize,
  plugin: string,
  migrations: readonly PluginMigration[],
): Promise<string[]> {
  assertUniqueNames(plugin, migrations);
  const names = migrations.map((m) => storedName(plugin, m));
  if (names.length === 0) return [];
  const [table] = await sequelize.query<{ present: boolean }>('SELECT to_regclass(:table) IS NOT NULL AS present', {
    replacements: { table: MIGRATIONS_TABLE },
    type: QueryTypes.SELECT,
  });
  if (!table?.present) return names;
  const rows = await sequelize.query<{ name: string }>(`SELECT name FROM "${MIGRATIONS_TABLE}" WHERE name IN (:names)`, {
    replacements: { names },
    type: QueryTypes.SELECT,
  });
  const applied = new Set(rows.map((r) => r.name));
  return names.filter((n) => !applied.has(n));
}

function storedName(plugin: string, migration: PluginMigration): string {
  return `${plugin}:${migration.name}`;
}

function storage(sequelize: Sequelize): SequelizeStorage {
  // A model name of our own, so a plugin's own umzug (default 'SequelizeMeta') cannot clash.
  return new SequelizeStorage({ sequelize, tableName: MIGRATIONS_TABLE, modelName: 'PlugboardMigration' });
}

function assertUniqueNames(plugin: string, migrations: readonly PluginMigration[]): void {
  const seen = new Set<string>();
  for (const { name } of migrations) {
    if (seen.has(name)) {
      throw new PlugboardError('pluginInvalid', `Plugin '${plugin}' declares migration '${name}' twice. Give each migration a unique name.`);
    }
    seen.add(name);
  }
}

type LogFn = (message: Record<string, unknown>) => void;

function umzugLogger(logger: Logger): Record<'info' | 'warn' | 'error' | 'debug', LogFn> {
  return {
    info: ({ event, name, durationSeconds }) => {
      if (event === 'migrated') logger.info({ migration: name, durationSeconds }, `Applied migration '${String(name)}'.`);
      else logger.debug({ event, migration: name }, `Migration '${String(name)}': ${String(event)}.`);
    },
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
    debug: (message) => logger.debug(message),
  };
}
