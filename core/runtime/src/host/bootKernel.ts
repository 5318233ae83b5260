/**
 * The one way a kernel is put together: the app host, the test harness and the CLI all call
 * `bootKernel`, so a test runs the wiring users run (core.database registered, each plugin's
 * migrations applied before its setup, in plugin order, logged the same way).
 */
import type { Logger } from 'pino';
import { coreServices, type Clock, type DatabaseService } from '@plugboard/plugin-api';
import { createDatabase, type DatabaseHandle } from '../database/createDatabase.js';
import { runMigrations } from '../database/MigrationRunner.js';
import { graphOfConfig } from '../kernel/configGraph.js';
import { Kernel } from '../kernel/Kernel.js';
import type { LoadedConfig, LoadedPlugin } from '../kernel/loadConfig.js';

export interface BootKernelOptions {
  /** The loaded config, every plugin resolved (`loadConfig`). */
  config: LoadedConfig;
  logger: Logger;
  /** Registered as `core.database`; plugins' migrations run on it. Without it, a plugin with migrations fails to start. */
  database?: DatabaseService;
  /** Reads the config again, for `kernel.reload()` and the config watcher. */
  loadConfig?: () => Promise<LoadedConfig>;
  /** `coreServices.clock`, which also times the tasks; the system clock unless a test passes one. */
  clock?: Clock;
}

export interface BootedKernel {
  /** Not started yet: `kernel.start()` runs each plugin's migrations, then its setup, in order. */
  kernel: Kernel;
  /**
   * Applies the migrations of every enabled plugin in start order without starting any (what
   * `plugboard migrate` and plugin commands do); resolves with the plugins, in that order.
   */
  migrate(): Promise<string[]>;
}

/**
 * A kernel, not started, with `core.database` registered and migrations wired to run before
 * each plugin's setup.
 *
 * @example
 * const { kernel } = bootKernel({ config, logger, database });
 * await kernel.start();
 */
export function bootKernel(options: BootKernelOptions): BootedKernel {
  const { config, logger, database } = options;
  const kernel = new Kernel({
    config,
    logger,
    ...(options.loadConfig ? { loadConfig: options.loadConfig } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    beforeSetup: (plugin, log) => migratePlugin(database, plugin, log),
  });
  if (database) kernel.registry.register(coreServices.database, database, { owner: 'core' });
  return {
    kernel,
    migrate: async () => {
      const order = graphOfConfig(config).order();
      for (const name of order) await migratePlugin(database, config.plugins.get(name)!, logger);
      return order;
    },
  };
}

/** Runs a plugin's migrations, if it has any; the kernel calls it before the plugin's setup. */
async function migratePlugin(database: DatabaseService | undefined, plugin: LoadedPlugin, logger: Logger): Promise<void> {
  const migrations = plugin.definition.migrations ?? [];
  if (migrations.length === 0) return;
  if (!database) {
    throw new Error(`Plugin '${plugin.name}' has migrations, but no database was given to run them on. Pass one (in tests, createTestDatabase()).`);
  }
  // Without statement timeout: a migration may build an index on a large table.
  const { applied } = await database.withoutTimeout((sequelize) => runMigrations(sequelize, plugin.name, migrations, logger));
  if (applied.length > 0) logger.info({ applied }, `Applied ${applied.length} migration(s) of plugin '${plugin.name}'.`);
}

/**
 * Opens the config's database: `database.url`, or an embedded PostgreSQL when it is unset. The
 * server bounds statements by `database.statementTimeout`; command-line tools (`migrate`, a
 * plugin's command such as `seed`) pass `{ forCommand: true }`: their statements are the
 * maintenance work the timeout is not for.
 */
export function openDatabase(config: LoadedConfig, logger: Logger, options: { forCommand?: boolean } = {}): Promise<DatabaseHandle> {
  const statementTimeoutMs = options.forCommand === true ? undefined : config.database.statementTimeoutMs;
  return createDatabase({
    ...(config.database.url ? { url: config.database.url } : {}),
    dataDir: config.database.embedded.dataDir,
    logger,
    limits: {
      ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }),
      ...(config.database.acquireTimeoutMs === undefined ? {} : { acquireTimeoutMs: config.database.acquireTimeoutMs }),
      ...(config.database.poolMax === undefined ? {} : { poolMax: config.database.poolMax }),
    },
  });
}
