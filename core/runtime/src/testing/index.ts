/**
 * @plugboard/core/testing: helpers for the tests of core and of plugins.
 */
export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './database.js';
export { startTestKernel, type TestKernel, type TestKernelOptions } from './startTestKernel.js';
export { spawnServer, type SpawnedServer, type SpawnServerOptions } from './spawnServer.js';
export { plugboardErrorOf } from './errors.js';
export { TestClock, TEST_CLOCK_START } from './TestClock.js';
export type { RecordedHistogram, RecordedMetric, RecordedPoint } from './recordedMetrics.js';
