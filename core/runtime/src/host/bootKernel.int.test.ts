import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIGRATIONS_TABLE } from '../database/MigrationRunner.js';
import type { Kernel } from '../kernel/Kernel.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { startTestKernel } from '../testing/startTestKernel.js';
import notes from './__fixtures__/notes.js';
import { AppHost } from './AppHost.js';

const BIN = fileURLToPath(new URL('../../bin/plugboard.js', import.meta.url));
const NOTES = fileURLToPath(new URL('./__fixtures__/notes.ts', import.meta.url));

let dir: string;
const dbs: TestDatabase[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plugboard-boot-'));
  await chmod(dir, 0o711);
});
afterAll(async () => {
  await Promise.all(dbs.map((db) => db.close()));
  await rm(dir, { recursive: true, force: true });
});

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  dbs.push(db);
  return db;
}

async function configFor(db: TestDatabase, name: string): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, `server: { port: 0 }\ndatabase: { url: '${db.url}' }\nlogging: { level: info }\nplugins:\n  notes:\n    from: ${NOTES}\n`);
  return path;
}

/** A logger that keeps the messages about migrations. */
function recording(): { logger: Logger; migrationLines: string[] } {
  const migrationLines: string[] = [];
  const logger = pino({ level: 'info' }, {
    write: (line: string) => {
      const { msg } = JSON.parse(line) as { msg: string };
      if (/migration/i.test(msg)) migrationLines.push(msg);
    },
  });
  return { logger, migrationLines };
}

async function migrationRows(db: TestDatabase): Promise<string[]> {
  const [rows] = await db.sequelize.query(`SELECT name FROM "${MIGRATIONS_TABLE}" ORDER BY name`);
  return (rows as { name: string }[]).map((r) => r.name);
}

function servicesOf(kernel: Kernel): { id: string; owners: string[] }[] {
  return kernel
    .services()
    .map((s) => ({ id: s.id, owners: s.providers.map((p) => p.owner) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

describe('bootKernel: the host, the test harness and the CLI boot alike', () => {
  test('AppHost and startTestKernel give the same services, migration rows and migration log lines', async () => {
    const hostDb = await freshDatabase();
    const harnessDb = await freshDatabase();

    const hostLog = recording();
    const host = await AppHost.start({ configPath: await configFor(hostDb, 'host'), logger: hostLog.logger });
    const hostServices = servicesOf(host.kernel);
    const hostCount = await (await fetch(`${host.server.url}/api/notes`)).json();
    await host.stop();

    const harnessLog = recording();
    const app = await startTestKernel({ plugins: [notes], database: harnessDb, logger: harnessLog.logger });
    const harnessServices = servicesOf(app.kernel);
    const harnessCount = await (await app.fetch('/api/notes')).json();
    await app.stop();

    expect(hostServices).toEqual([
      { id: 'core.clock', owners: ['core'] },
      { id: 'core.database', owners: ['core'] },
      { id: 'core.runtime', owners: ['core'] },
      { id: 'notes.store', owners: ['notes'] },
    ]);
    expect(harnessServices).toEqual(hostServices);
    expect(await migrationRows(hostDb)).toEqual(['notes:0001-create-notes', 'notes:0002-seed-notes']);
    expect(await migrationRows(harnessDb)).toEqual(await migrationRows(hostDb));
    expect(hostLog.migrationLines).toEqual([
      "Applied migration 'notes:0001-create-notes'.",
      "Applied migration 'notes:0002-seed-notes'.",
      "Applied 2 migration(s) of plugin 'notes'.",
    ]);
    expect(harnessLog.migrationLines).toEqual(hostLog.migrationLines);
    expect(harnessCount).toEqual({ count: 1 });
    expect(hostCount).toEqual(harnessCount);
  });

  test('plugboard migrate records the same migration rows as a start', async () => {
    const cliDb = await freshDatabase();
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'migrate', '--config', await configFor(cliDb, 'cli')], {
      env: { ...process.env, PLUGBOARD_LOG_FORMAT: 'json' },
    });
    expect(stdout).toContain("Applied 2 migration(s) of plugin 'notes'.");
    expect(stdout).toContain('notes: up to date\n');
    expect(await migrationRows(cliDb)).toEqual(['notes:0001-create-notes', 'notes:0002-seed-notes']);
  });

  test('a plugin with migrations and no database fails to start, saying what to pass', async () => {
    const app = startTestKernel({ plugins: [notes] });
    await expect(app).rejects.toMatchObject({
      message: "Plugin 'notes' failed to start: Plugin 'notes' has migrations, but no database was given to run them on. Pass one (in tests, createTestDatabase()).",
    });
  });
});
