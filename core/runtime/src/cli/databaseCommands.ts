import type { Logger } from 'pino';
import { pendingMigrations } from '../database/MigrationRunner.js';
import { bootKernel, openDatabase } from '../host/bootKernel.js';
import { graphOfConfig } from '../kernel/configGraph.js';
import type { LoadedConfig } from '../kernel/loadConfig.js';

/** `plugboard migrate`: applies (or with dryRun lists) the migrations of every enabled plugin. */
export async function migrateCommand(
  config: LoadedConfig,
  options: { dryRun: boolean },
  logger: Logger,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const database = await openDatabase(config, logger, { forCommand: true });
  try {
    if (!options.dryRun) await bootKernel({ config, database, logger }).migrate();
    for (const name of graphOfConfig(config).order()) {
      const migrations = config.plugins.get(name)!.definition.migrations ?? [];
      if (migrations.length === 0) continue;
      const pending = options.dryRun ? await pendingMigrations(database.sequelize, name, migrations) : [];
      out.write(`${name}: ${pending.length === 0 ? 'up to date' : `pending ${pending.join(', ')}`}\n`);
    }
  } finally {
    await database.close();
  }
}
