import { ApiError } from '@plugboard/plugin-api';
import { afterEach, expect, test } from 'vitest';
import { fakeKernel, pluginApp, startTestHost, type TestHost } from './testHarness.js';

let host: TestHost | undefined;
afterEach(async () => {
  await host?.server.close({ graceMs: 1000 });
  host = undefined;
});

test("an ApiError's headers are set on its JSON answer, and one without headers answers as before", async () => {
  const kernel = fakeKernel();
  kernel.routesList.push(
    pluginApp('catalog', (app) => {
      app.get('/api/busy', () => {
        throw new ApiError(503, 'overloaded', 'Too many writes waiting: retry in 2 s.', { headers: { 'Retry-After': '2' } });
      });
      app.get('/api/plain', () => {
        throw new ApiError(409, 'conflict', 'Already there.');
      });
    }),
  );
  host = await startTestHost({ kernel, database: { ping: async () => undefined } });
  const busy = await fetch(host.url('/api/busy'));
  expect(busy.status).toBe(503);
  expect(busy.headers.get('retry-after')).toBe('2');
  expect(busy.headers.get('content-type')).toMatch(/^application\/json/);
  expect(((await busy.json()) as { error: unknown }).error).toMatchObject({ code: 'overloaded', message: 'Too many writes waiting: retry in 2 s.' });
  const plain = await fetch(host.url('/api/plain'));
  expect(plain.status).toBe(409);
  expect(plain.headers.get('retry-after')).toBeNull();
  expect(((await plain.json()) as { error: unknown }).error).toMatchObject({ code: 'conflict', message: 'Already there.' });
});
