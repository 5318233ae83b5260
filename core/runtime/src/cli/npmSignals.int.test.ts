import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/** The repository: where `npm start` is run. */
const ROOT = path.resolve(fileURLToPath(new URL('../../../..', import.meta.url)));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'plugboard-npm-'));
  // As root the embedded PostgreSQL runs as 'postgres', which must pass through this folder.
  await chmod(dir, 0o711);
});
/** Processes a failing test could leave behind; ended by pid so nothing else is touched. */
const leftovers: number[] = [];
afterAll(async () => {
  for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGTERM');
  await eventually(() => leftovers.every((pid) => !alive(pid)));
  await rm(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it returns true; the test's own timeout bounds the wait. */
async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

interface Started {
  launcher: ChildProcess;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  url: string;
  /** The node process that runs the server (from its JSON log lines). */
  serverPid: number;
  /** The embedded PostgreSQL's postmaster. */
  postgresPid: number;
  output(): string;
}

/** Runs `command` (npm or npx) in the repository with an embedded database, and waits until ready. */
async function launch(name: string, command: string, args: string[]): Promise<Started> {
  const dataDir = path.join(dir, `pgdata-${name}`);
  const config = path.join(dir, `${name}.yaml`);
  await writeFile(config, `server: { port: 0 }\ndatabase: { url: '', embedded: { dataDir: ${dataDir} } }\nplugins: {}\n`);
  const launcher = spawn(command, [...args, '--config', config], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', PLUGBOARD_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(launcher, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /is ready at (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    launcher.stdout.on('data', onData);
    launcher.stderr.on('data', onData);
    void exited.then(([code]) => reject(new Error(`${command} exited (${code}) before the server was ready:\n${output}`)));
  });
  const serverPid = (JSON.parse(output.split('\n').find((l) => l.startsWith('{'))!) as { pid: number }).pid;
  const postgresPid = Number.parseInt((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]!, 10);
  leftovers.push(serverPid, postgresPid);
  return { launcher, exited, url, serverPid, postgresPid, output: () => output };
}

async function assertAllStopped(started: Started, dataDir: string): Promise<void> {
  expect(alive(started.serverPid)).toBe(false);
  expect(alive(started.postgresPid)).toBe(false);
  await expect(fetch(`${started.url}/healthz`)).rejects.toThrow('fetch failed');
  // PostgreSQL removes its pid file when it shuts down cleanly.
  await expect(access(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow('ENOENT');
}

describe('SIGTERM to npm', () => {
  test('npm start: SIGTERM to the npm process stops the server and its PostgreSQL, in order, and npm exits 0', async () => {
    const started = await launch('npm-start', 'npm', ['start', '--']);
    expect(started.serverPid).not.toBe(started.launcher.pid);
    expect(alive(started.postgresPid)).toBe(true);
    started.launcher.kill('SIGTERM');
    const [code, signal] = await started.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(started.output()).toContain('Received SIGTERM; shutting down');
    await assertAllStopped(started, path.join(dir, 'pgdata-npm-start'));
  }, 120_000);

  test('npx plugboard start: SIGTERM to the npx process stops the server and its PostgreSQL', async () => {
    const started = await launch('npx', 'npx', ['plugboard', 'start']);
    started.launcher.kill('SIGTERM');
    await started.exited;
    // npx itself exits at once; the server notices and shuts down in order.
    await eventually(() => !alive(started.serverPid));
    expect(started.output()).toContain('The npm process that started Plugboard ended (npm does not pass SIGTERM through its shell); shutting down as on SIGTERM.');
    expect(started.output()).toContain('Received SIGTERM; shutting down');
    await assertAllStopped(started, path.join(dir, 'pgdata-npx'));
  }, 120_000);
});
