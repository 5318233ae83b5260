import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { createDatabase, type DatabaseHandle } from '../database/createDatabase.js';
import { pendingMigrations } from '../database/MigrationRunner.js';
import { DependencyGraph } from '../graph/DependencyGraph.js';
import { migratePlugin } from '../host/AppHost.js';
import { graphNodeOf } from '../kernel/graphNodes.js';
import type { LoadedConfig } from '../kernel/loadPlugins.js';
import { CORE_SERVICE_IDS } from '../services/coreServices.js';

/** Opens the config's database (embedded when no url is set). */
export function openDatabase(config: LoadedConfig, logger: Logger): Promise<DatabaseHandle> {
  return createDatabase({
    ...(config.database.url ? { url: config.database.url } : {}),
    dataDir: resolve(config.projectRoot, config.database.embedded.dataDir),
    logger,
  });
}

/** Enabled plugins in start order. */
export function enabledInOrder(config: LoadedConfig): string[] {
  const all = [...config.plugins.values()];
  return DependencyGraph.build(all.filter((p) => p.enabled).map(graphNodeOf), {
    coreRefIds: CORE_SERVICE_IDS,
    known: all.map(graphNodeOf),
  }).order();
}

/** `plugboard migrate`: applies (or with dryRun lists) the migrations of every enabled plugin. */
export async function migrateCommand(
  config: LoadedConfig,
  options: { dryRun: boolean },
  logger: Logger,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const database = await openDatabase(config, logger);
  try {
    for (const name of enabledInOrder(config)) {
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
