// core/README.md's "Testing a plugin" sample, run (examples/docs-samples.test.ts checks they are the same).
import { createTestDatabase, plugboardErrorOf, startTestKernel, TestClock } from '@plugboard/core/testing';
import conversations from '@plugboard/plugin-conversations';
import { expect, it } from 'vitest';

it('answers 404 for an unknown user and purges its cache every minute', async () => {
  const db = await createTestDatabase(); // a fresh database: on TEST_DATABASE_URL's server, or embedded
  const clock = new TestClock();
  const app = await startTestKernel({ plugins: [conversations], database: db, clock, config: { conversations: { cache: { purgeEvery: '1m' } } } });
  try {
    expect((await app.fetch('/api/users/1')).status).toBe(404);
    await clock.advance('1m');
    expect(app.kernel.tasks().find((t) => t.id === 'conversations.purge-user-cache')?.runs).toBe(1);
    expect((await plugboardErrorOf(app.kernel.enable('ghost'))).kind).toBe('invalidArgument');
  } finally {
    await app.stop();
    await db.close();
  }
});
