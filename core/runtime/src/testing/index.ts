/**
 * @plugboard/core/testing: helpers for the tests of core and of plugins, the one part of core a
 * plugin's tests may import. Each is described in docs/plugins.md ("Testing a plugin");
 * `@plugboard/core/testing/vitest` (vitest.js) is the vitest config for a plugin's own folder.
 *
 * @example
 * const clock = new TestClock();
 * const app = await startTestKernel({ plugins: [myPlugin], database: await createTestDatabase(), clock, metrics: true });
 * await clock.advance('5m');
 * expect(await app.metricValue('my.counter')).toBe(1);
 */
export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './database.js';
export { startTestKernel, type TestKernel, type TestKernelOptions } from './startTestKernel.js';
export { spawnServer, type SpawnedServer, type SpawnServerOptions } from './spawnServer.js';
export { plugboardErrorOf } from './errors.js';
export { TestClock, TEST_CLOCK_START } from './TestClock.js';
export type { RecordedHistogram, RecordedMetric, RecordedPoint } from './recordedMetrics.js';
