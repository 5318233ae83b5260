import { expect, it } from 'vitest';
import { createTestDatabase } from './database.js';

// In a file of its own: the race needs a process (module instance) with no server started yet.
it('serves concurrent first calls from one server and closes them concurrently without error', async () => {
  // Regression: two first calls at once each started an embedded server, and closing the
  // databases then stopped a server under a running DROP DATABASE.
  const [one, two] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  expect(new URL(one.url).port).toBe(new URL(two.url).port);
  await expect(Promise.all([one.close(), two.close()])).resolves.toEqual([undefined, undefined]);
});
