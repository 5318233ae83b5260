import type { Clock } from './Clock.js';
import type { DatabaseService } from './DatabaseService.js';
import type { RuntimeInfo } from './RuntimeInfo.js';
import { serviceRef } from './ServiceRef.js';

/**
 * Refs of the services core provides itself. Every plugin may use them without declaring them.
 *
 * @example
 * const db = ctx.get(coreServices.database);
 * await db.sequelize.query('SELECT 1');
 */
export const coreServices = {
  /** The shared PostgreSQL connection (Sequelize). */
  database: serviceRef<DatabaseService>('core.database', { description: 'PostgreSQL through Sequelize' }),
  /** A read-only view of plugins, services and tasks. */
  runtime: serviceRef<RuntimeInfo>('core.runtime', { description: 'Plugins, services and tasks of this process' }),
  /** The clock to read and set timers by: the system clock, or the test harness's test clock. */
  clock: serviceRef<Clock>('core.clock', { description: 'Current time and timers (a test clock in tests)' }),
} as const;

/** Ids of the refs in {@link coreServices}. */
export const CORE_SERVICE_IDS: ReadonlySet<string> = new Set(Object.values(coreServices).map((r) => r.id));
