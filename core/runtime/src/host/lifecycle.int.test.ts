import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { spawnServer } from '../testing/spawnServer.js';
import { AppHost } from './AppHost.js';

const BIN = fileURLToPath(new URL('../../bin/plugboard.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'plugboard-host-'));
  // As root the embedded PostgreSQL runs as 'postgres', which must pass through this folder.
  await chmod(dir, 0o711);
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

/** Polls `check` until it returns true; the test's own timeout bounds the wait. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('AppHost with kernel.watch', () => {
  test('applies an edited config while running, and keeps running on an invalid edit', async () => {
    const path = join(dir, 'watched.yaml');
    const config = (hello: string) => `
server: { port: 0 }
database: { url: '${db.url}' }
kernel: { watch: true, watchDebounce: 50ms }
plugins:
  hello:
    from: ${fixture('hello.ts')}
${hello}
`;
    await writeFile(path, config('    greeting: hi'));
    const records: { msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line)) });
    const host = await AppHost.start({ configPath: path, logger });
    const greeting = async () => {
      const res = await fetch(`${host.server.url}/api/hello`);
      return res.status === 200 ? ((await res.json()) as { greeting: string }).greeting : res.status;
    };
    try {
      expect(await greeting()).toBe('hi');

      await writeFile(path, config('    greeting: hey'));
      await eventually(async () => (await greeting()) === 'hey');

      await writeFile(path, config('    greeting: 5'));
      await eventually(async () => records.some((r) => r.msg.startsWith('The changed config was rejected')));
      expect(records.find((r) => r.msg.startsWith('The changed config was rejected'))?.msg).toContain(
        'plugins.hello.greeting: Invalid input: expected string, received number',
      );
      expect(await greeting()).toBe('hey');

      await writeFile(path, config('    enabled: false'));
      await eventually(async () => (await greeting()) === 404);
      expect(host.kernel.plugins().map((p) => [p.name, p.state])).toEqual([['hello', 'disabled']]);
    } finally {
      await host.stop();
    }
  });
});

describe('plugboard start and signals', () => {
  test('a second signal ends a shutdown that hangs, with exit code 130', async () => {
    const path = join(dir, 'stuck.yaml');
    await writeFile(
      path,
      `server: { port: 0 }\ndatabase: { url: '${db.url}' }\nplugins:\n  stuck-stop:\n    from: ${fixture('stuck-stop.ts')}\n    stopTimeout: 1h\n`,
    );
    const server = await spawnServer({ args: ['--config', path] });
    server.child.kill('SIGTERM');
    await eventually(async () => {
      if (server.child.exitCode !== null || server.child.signalCode !== null) {
        throw new Error(`plugboard start ended on the first SIGTERM instead of shutting down:\n${server.output()}`);
      }
      return server.output().includes('Received SIGTERM; shutting down');
    });
    expect(await server.stop('SIGTERM')).toBe(130);
    expect(server.output()).toContain('Received SIGTERM again; exiting without finishing shutdown.');
  });

  test('Ctrl+C on the whole process group (as a terminal sends it) leaves the embedded database up for stop hooks', async () => {
    const path = join(dir, 'ctrl-c.yaml');
    await writeFile(
      path,
      `server: { port: 0 }\ndatabase: { url: '', embedded: { dataDir: ${join(dir, 'pgdata')} } }\nplugins:\n  flush-on-stop:\n    from: ${fixture('flush-on-stop.ts')}\n`,
    );
    const server = await spawnServer({ args: ['--config', path], env: { DATABASE_URL: '' }, processGroup: true });
    expect(await server.stop('SIGINT')).toBe(0);
    expect(server.output()).toContain('Stop hook reached the database.');
    expect(server.output()).not.toContain('failed to run a stop hook');
  }, 120_000);

  test('Ctrl+C while starting lets the start finish, then shuts down and leaves no database running', async () => {
    const dataDir = join(dir, 'pgdata-early');
    const path = join(dir, 'early.yaml');
    await writeFile(
      path,
      `server: { port: 0 }\ndatabase: { url: '', embedded: { dataDir: ${dataDir} } }\nplugins:\n  slow-start:\n    from: ${fixture('slow-start.ts')}\n`,
    );
    const child = spawn(process.execPath, [BIN, 'start', '--config', path], {
      env: { ...process.env, DATABASE_URL: '', PLUGBOARD_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const exited = once(child, 'exit');
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        // The embedded PostgreSQL is up; the kernel is about to spend a second starting.
        if (output.includes('Embedded PostgreSQL keeps its data in')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    process.kill(-child.pid!, 'SIGINT');
    const [code] = await exited;
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toContain('Received SIGINT; shutting down');
    // PostgreSQL removes its pid file when it shuts down cleanly.
    await expect(access(join(dataDir, 'postmaster.pid'))).rejects.toThrow('ENOENT');
  }, 120_000);
});
