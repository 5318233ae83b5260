import { ConnectionRefusedError, DatabaseError } from 'sequelize';
import { afterEach, expect, test } from 'vitest';
import { fakeKernel, pluginApp, startTestHost, type TestHost } from './testHarness.js';

let host: TestHost | undefined;
afterEach(async () => {
  await host?.server.close({ graceMs: 1000 });
  host = undefined;
});

const refused = () => new ConnectionRefusedError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));

async function hostWith(reported: Error[] | undefined): Promise<TestHost> {
  const kernel = fakeKernel();
  kernel.routesList.push(
    pluginApp('catalog', (app) => {
      app.get('/api/down', () => {
        throw refused();
      });
      app.get('/api/bug', () => {
        throw new DatabaseError(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601', sql: 'SELEC 1', parameters: {} }));
      });
    }),
  );
  const database = { ping: async () => undefined, ...(reported ? { outage: { report: (err: Error) => void reported.push(err) } } : {}) };
  host = await startTestHost({ kernel, database });
  return host;
}

test('a database that cannot answer is a 503 database_unavailable with Retry-After, reported to the outage log and not logged per request', async () => {
  const reported: Error[] = [];
  const { url, records } = await hostWith(reported);
  const answers = [];
  for (let i = 0; i < 3; i += 1) {
    const res = await fetch(url('/api/down'));
    answers.push({ status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error: { requestId: string } } });
  }
  for (const a of answers) {
    expect(a).toEqual({
      status: 503,
      retryAfter: '1',
      body: {
        error: {
          code: 'database_unavailable',
          message: 'The database is unavailable (connect ECONNREFUSED 127.0.0.1:5432): the request may not have taken effect. Retry it after 1 s.',
          requestId: a.body.error.requestId,
        },
      },
    });
  }
  expect(reported.map((e) => e.name)).toEqual(['SequelizeConnectionRefusedError', 'SequelizeConnectionRefusedError', 'SequelizeConnectionRefusedError']);
  expect(records.filter((r) => r.level >= 40)).toEqual([]);
});

test('without an outage log each answer logs a warn; a wrong query stays a 500 with its stack logged', async () => {
  const { url, records } = await hostWith(undefined);
  expect((await fetch(url('/api/down'))).status).toBe(503);
  const bug = await fetch(url('/api/bug'));
  const body = (await bug.json()) as { error: { code: string; requestId: string } };
  expect({ status: bug.status, code: body.error.code }).toEqual({ status: 500, code: 'internal_error' });
  expect(records.filter((r) => r.level >= 40).map((r) => [r.level, r.msg])).toEqual([
    [40, 'The database is unavailable: connect ECONNREFUSED 127.0.0.1:5432.'],
    [50, 'Unhandled error in GET /api/bug: syntax error at or near "SELEC"'],
  ]);
});
