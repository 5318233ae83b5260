import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlugboardError } from '@plugboard/plugin-api';
import { createDatabase } from './createDatabase.js';

// THE embedded-path test: it never looks at DATABASE_URL or TEST_DATABASE_URL.

interface LogRecord {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

function capturingLogger(): { logger: pino.Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) });
  return { logger, records };
}

function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

let root: string;
let dataDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'plugboard-embedded-test-'));
  // As root the server runs as 'postgres', which must pass through the 0700 temp folder.
  await chmod(root, 0o711);
  dataDir = join(root, 'postgres');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createDatabase without a url (embedded PostgreSQL)', () => {
  it('initialises once, keeps data between runs and preloads pg_stat_statements', { timeout: 120_000 }, async () => {
    const first = capturingLogger();
    const db = await createDatabase({ dataDir, logger: first.logger });
    expect(db.embedded).toBe(true);
    expect(db.displayUrl).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/plugboard$/);
    await db.sequelize.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
    await db.sequelize.query("INSERT INTO notes (body) VALUES ('kept')");
    await db.close();
    expect(first.records.map((r) => r.msg)).toContain('Initialised a new embedded PostgreSQL cluster.');
    expect(first.records.map((r) => r.msg)).toContain(
      `Embedded PostgreSQL keeps its data in '${dataDir}'; set DATABASE_URL=postgres://... to use your own PostgreSQL.`,
    );

    const second = capturingLogger();
    const again = await createDatabase({ dataDir, logger: second.logger });
    try {
      const rows = await again.sequelize.query<{ body: string }>('SELECT body FROM notes', { type: QueryTypes.SELECT });
      expect(rows).toEqual([{ body: 'kept' }]);
      expect(second.records.map((r) => r.msg)).not.toContain('Initialised a new embedded PostgreSQL cluster.');
      const [stats] = await again.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_statements', { type: QueryTypes.SELECT });
      expect(Number(stats?.n)).toBeGreaterThan(0);
      const [preload] = await again.sequelize.query<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries', { type: QueryTypes.SELECT });
      expect(preload?.shared_preload_libraries).toBe('pg_stat_statements');
    } finally {
      await again.close();
    }
  });

  it('refuses a data folder another server is running on', { timeout: 60_000 }, async () => {
    const { logger } = capturingLogger();
    const running = await createDatabase({ dataDir, logger });
    try {
      const pid = Number(execFileSync('head', ['-n', '1', join(dataDir, 'postmaster.pid')], { encoding: 'utf8' }).trim());
      const error = await createDatabase({ dataDir, logger }).catch((err: unknown) => err);
      expect(PlugboardError.is(error, 'invalidState')).toBe(true);
      expect((error as Error).message).toBe(
        `Embedded PostgreSQL in '${dataDir}' is already running as PID ${pid}, most likely for a Plugboard server that is running now (one process at a time owns this folder). Stop that server first, or run both against a shared PostgreSQL with DATABASE_URL; only if no Plugboard is running, stop the leftover with kill ${pid}.`,
      );
      await running.ping();
    } finally {
      await running.close();
    }
  });

  it('removes a stale postmaster.pid whose PID now belongs to another process, and says so', { timeout: 60_000 }, async () => {
    // A live process of the server's own OS user, which is not a PostgreSQL of this folder: the
    // case PostgreSQL alone refuses (it ignores dead PIDs and other users' processes).
    const owner = process.getuid?.() === 0 ? { uid: idOf('-u'), gid: idOf('-g') } : {};
    const impostor = spawn('sleep', ['600'], { ...owner, stdio: 'ignore' });
    const pid = impostor.pid!;
    try {
      await writeFile(join(dataDir, 'postmaster.pid'), `${pid}\n${dataDir}\n1700000000\n5432\n\n127.0.0.1\n  1234 5678\nready\n`);
      const { logger, records } = capturingLogger();
      const db = await createDatabase({ dataDir, logger });
      try {
        await db.ping();
        expect(records.map((r) => r.msg)).toContain(
          `Removed a stale 'postmaster.pid' (PID ${pid} is not a PostgreSQL of this folder), left by a crash; starting again.`,
        );
      } finally {
        await db.close();
      }
    } finally {
      impostor.kill();
    }
  });

  it.skipIf(process.getuid?.() !== 0)('takes over a data folder that root owns, since PostgreSQL runs as postgres', { timeout: 60_000 }, async () => {
    execFileSync('chown', ['-R', 'root:root', dataDir]);
    const { logger } = capturingLogger();
    const db = await createDatabase({ dataDir, logger });
    try {
      const rows = await db.sequelize.query<{ body: string }>('SELECT body FROM notes', { type: QueryTypes.SELECT });
      expect(rows).toEqual([{ body: 'kept' }]);
    } finally {
      await db.close();
    }
  });
});
