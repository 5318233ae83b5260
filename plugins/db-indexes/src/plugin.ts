import { coreServices, definePlugin } from '@plugboard/plugin-api';
import { dbCommands } from './cli/commands.js';
import { configSchema } from './config.js';
import { dbIndexesOpsRef, dbIndexesRef, indexDeclarationsRef } from './contract.js';
import { DbIndexes } from './DbIndexes.js';
import { dbRoutes } from './http/routes.js';

/**
 * plugins/db-indexes: the eight indexes, ensured concurrently under an advisory lock; the report
 * (index states, PgHero's health checks, query analysis, maintenance state); what-if; scheduled
 * VACUUM and ANALYZE; routes, commands and metrics.
 */
export default definePlugin({
  name: 'db-indexes',
  version: '0.1.0',
  core: '^0.1.0',
  description: 'The eight indexes built concurrently, query analysis, what-if indexes, index health, maintenance and reports',
  dependsOn: { conversations: '^0.1.0' },
  provides: [dbIndexesRef, indexDeclarationsRef, dbIndexesOpsRef],
  config: configSchema,
  commands: dbCommands,
  async setup(ctx) {
    const config = ctx.config;
    const db = new DbIndexes({ database: ctx.get(coreServices.database), config, logger: ctx.logger, meter: ctx.meter });
    ctx.provide(indexDeclarationsRef, db.registry);
    ctx.provide(dbIndexesRef, db.service);
    ctx.provide(dbIndexesOpsRef, db);
    dbRoutes(ctx.http, db);

    if (config.ensure === 'on-start') {
      // Small tables now, without waiting for another instance's lock; the rest in the background.
      const now = await db.ensure({ includeLarge: false, wait: false, signal: ctx.signal });
      if (now.lock === 'busy') ctx.logger.info('another instance is ensuring indexes; this one checks again in the background');
      if (now.deferred.length > 0) ctx.logger.info({ deferred: now.deferred }, `building ${now.deferred.length} index(es) on large tables in the background`);
      ctx.tasks.schedule({
        name: 'ensure-indexes',
        every: config.ensureEvery,
        timeout: config.buildTimeout,
        runOnStart: now.lock === 'busy' || now.deferred.length > 0,
        run: async (signal) => {
          await db.ensure({ includeLarge: true, wait: true, signal });
        },
      });
    }
    ctx.tasks.schedule({
      name: 'vacuum-analyze',
      every: config.maintenance.vacuumEvery,
      run: async (signal) => {
        await db.maintain('vacuum', signal);
      },
    });
    ctx.tasks.schedule({
      name: 'analyze',
      every: config.maintenance.analyzeEvery,
      run: async (signal) => {
        await db.maintain('analyze', signal);
      },
    });
    ctx.tasks.schedule({
      name: 'report',
      every: config.reportEvery,
      run: async () => {
        await db.service.report();
        await db.refreshCacheRates();
      },
    });
  },
});
