import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from './createDatabase.js';
import { fallbackDataRoot } from './postgresOsUser.js';

// As root the embedded PostgreSQL runs as 'postgres'; this is about a project it cannot reach.
const asRoot = process.getuid?.() === 0;

let home: string;
let configured: string;
let placed: string;
beforeAll(async () => {
  // Like root's home folder: closed to everyone else.
  home = await mkdtemp(join(tmpdir(), 'plugboard-home-'));
  await chmod(home, 0o700);
  await mkdir(join(home, 'app'));
  configured = join(home, 'app', '.plugboard', 'pgdata');
  placed = join(fallbackDataRoot(), createHash('sha256').update(configured).digest('hex').slice(0, 16));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
  await rm(placed, { recursive: true, force: true });
});

describe.skipIf(!asRoot)('embedded PostgreSQL for a project under a mode-700 folder, as root', () => {
  it('starts with its data in a folder the postgres user owns, says where, and finds it again on the next start', { timeout: 120_000 }, async () => {
    const messages: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void messages.push((JSON.parse(line) as { msg: string }).msg) });

    const first = await createDatabase({ dataDir: configured, logger });
    try {
      expect(first.dataDir).toBe(placed);
      await first.sequelize.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
    } finally {
      await first.close();
    }
    expect(messages).toContain(
      `Embedded PostgreSQL runs as the OS user 'postgres', which cannot reach '${configured}' (a parent folder is closed to it, as root's home usually is), so its data lives in '${placed}' instead. To keep it elsewhere, set database.embedded.dataDir to a folder that user can reach.`,
    );
    expect(messages).toContain(`Embedded PostgreSQL keeps its data in '${placed}'; set DATABASE_URL=postgres://... to use your own PostgreSQL.`);

    const second = await createDatabase({ dataDir: configured, logger });
    try {
      expect(second.dataDir).toBe(placed);
      expect(await second.sequelize.query('SELECT n FROM kept', { type: QueryTypes.SELECT })).toEqual([{ n: 7 }]);
    } finally {
      await second.close();
    }
  });
});
