import { createServer, type Server } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlugboardError } from '@plugboard/plugin-api';
import { createDatabase } from './createDatabase.js';

const logger = pino({ level: 'silent' });

/** A port nobody listens on: taken from the OS, then released. */
let closedPort: number;
let blocker: Server;

beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  closedPort = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
});

afterAll(() => {
  blocker.close();
});

describe('createDatabase with a url', () => {
  it('reports a server it cannot reach, with the password masked', async () => {
    const error = await createDatabase({
      url: `postgres://app:s3cret@127.0.0.1:${closedPort}/plugboard`,
      dataDir: '/unused',
      logger,
    }).catch((err: unknown) => err);
    expect(PlugboardError.is(error, 'invalidState')).toBe(true);
    expect((error as Error).message).toBe(
      `Cannot connect to PostgreSQL at 'postgres://app:***@127.0.0.1:${closedPort}/plugboard': connect ECONNREFUSED 127.0.0.1:${closedPort}. Check DATABASE_URL (or database.url in the config).`,
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it.each(['nonsense', 'mysql://app:s3cret@127.0.0.1/plugboard'])('rejects %s, which is not a PostgreSQL URL', async (url) => {
    const error = await createDatabase({ url, dataDir: '/unused', logger }).catch((err: unknown) => err);
    expect(PlugboardError.is(error, 'configInvalid')).toBe(true);
    const shown = url.replace('s3cret', '***');
    expect((error as Error).message).toBe(
      `The database URL '${shown}' is not a PostgreSQL URL. Set DATABASE_URL (or database.url in the config) to postgres://user:password@host:5432/database.`,
    );
  });

  it('rejects a relative data folder when no url is given', async () => {
    const error = await createDatabase({ dataDir: '.plugboard/postgres', logger }).catch((err: unknown) => err);
    expect(PlugboardError.is(error, 'invalidArgument')).toBe(true);
    expect((error as Error).message).toBe(
      "The embedded PostgreSQL data folder '.plugboard/postgres' is not an absolute path. Resolve it before calling createDatabase.",
    );
  });
});
