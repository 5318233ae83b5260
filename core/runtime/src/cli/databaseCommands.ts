import type { Logger } from 'pino';
import { pendingMigrations } from '../database/MigrationRunner.js';
import { migratePlugin, openDatabase } from '../host/AppHost.js';
import { graphOfConfig } from '../kernel/configGraph.js';
import type { LoadedConfig } from '../kernel/loadPlugins.js';

/** `plugboard migrate`: applies (or with dryRun lists) the migrations of every enabled plugin. */
export async function migrateCommand(
  config: LoadedConfig,
  options: { dryRun: boolean },
  logger: Logger,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const database = await openDatabase(config, logger);
  try {
    for (const name of graphOfConfig(config).order()) {
      const plugin = config.plugins.get(name)!;
      const migrations = plugin.definition.migrations ?? [];
      if (migrations.length === 0) continue;
      if (options.dryRun) {
        const pending = await pendingMigrations(database.sequelize, name, migrations);
        out.write(`${name}: ${pending.length === 0 ? 'up to date' : `pending ${pending.join(', ')}`}\n`);
      } else {
        await migratePlugin(database, plugin, logger);
        out.write(`${name}: up to date\n`);
      }
    }
  } finally {
    await database.close();
  }
}
