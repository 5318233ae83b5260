import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, expect, test } from 'vitest';
import { PlugboardError } from '@plugboard/plugin-api';
import { readSettled, watchConfig } from './watchConfig.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a burst of edits, including an editor-style rename over the file, reloads once', async () => {
  dir = await mkdtemp(join(tmpdir(), 'plugboard-watch-'));
  const path = join(dir, 'plugboard.yaml');
  await writeFile(path, 'plugins: {}\n');
  const seen: string[] = [];
  let reloaded!: () => void;
  const firstReload = new Promise<void>((resolve) => (reloaded = resolve));
  const stop = watchConfig({
    path,
    debounceMs: 200,
    logger: pino({ level: 'silent' }),
    reload: async () => {
      seen.push(await readFile(path, 'utf8'));
      reloaded();
    },
  });
  await writeFile(path, 'plugins: { a: {} }\n');
  await writeFile(join(dir, 'plugboard.yaml.tmp'), 'plugins: { b: {} }\n');
  await rename(join(dir, 'plugboard.yaml.tmp'), path);
  await writeFile(join(dir, 'other.yaml'), 'not watched\n');
  await firstReload;
  // Give a second, wrongly undebounced reload the chance to happen before looking.
  await new Promise((resolve) => setTimeout(resolve, 600));
  stop();
  expect(seen).toEqual(['plugins: { b: {} }\n']);
});

test('a rejected reload is logged with its problems and the watcher keeps going', async () => {
  dir = await mkdtemp(join(tmpdir(), 'plugboard-watch-'));
  const path = join(dir, 'plugboard.yaml');
  await writeFile(path, 'plugins: {}\n');
  const records: { msg: string; problems?: string[] }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line)) });
  let attempts = 0;
  let second!: () => void;
  const secondAttempt = new Promise<void>((resolve) => (second = resolve));
  const stop = watchConfig({
    path,
    debounceMs: 20,
    logger,
    reload: async () => {
      attempts += 1;
      if (attempts === 2) second();
      throw new PlugboardError('configInvalid', "Config file 'x' has 1 problem:\n  - server.port: bad", {
        details: { problems: ['server.port: bad'] },
      });
    },
  });
  await writeFile(path, 'server: { port: x }\n');
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (records.some((r) => r.msg.startsWith('The changed config was rejected'))) {
        clearInterval(poll);
        resolve();
      }
    }, 5);
  });
  await writeFile(path, 'server: { port: y }\n');
  await secondAttempt;
  stop();
  const rejected = records.find((r) => r.msg.startsWith('The changed config was rejected'));
  expect(rejected?.msg).toBe("The changed config was rejected and the running one is kept: Config file 'x' has 1 problem:\n  - server.port: bad");
  expect(rejected?.problems).toEqual(['server.port: bad']);
});

const FULL = 'plugins:\n  conversations:\n    cache:\n      max: 20\n';
const HALF = FULL.slice(0, 12);

test('an editor\'s save written in two parts is applied once, whole, not half-way', async () => {
  dir = await mkdtemp(join(tmpdir(), 'plugboard-watch-'));
  const path = join(dir, 'plugboard.yaml');
  await writeFile(path, FULL);
  const seen: string[] = [];
  let reloaded!: () => void;
  const firstReload = new Promise<void>((resolve) => (reloaded = resolve));
  const stop = watchConfig({
    path,
    debounceMs: 20,
    settleMs: 400,
    logger: pino({ level: 'silent' }),
    reload: async (text) => {
      // What gets applied: the settled text the watcher hands over.
      seen.push(text ?? '(none)');
      reloaded();
    },
  });
  // Truncated and half written, then, after a pause longer than the debounce, the rest.
  await writeFile(path, HALF);
  await new Promise((resolve) => setTimeout(resolve, 150));
  await writeFile(path, FULL);
  await firstReload;
  await new Promise((resolve) => setTimeout(resolve, 600));
  stop();
  expect(seen).toEqual([FULL]);
});

test('readSettled reads until two reads a gap apart agree', async () => {
  dir = await mkdtemp(join(tmpdir(), 'plugboard-watch-'));
  const path = join(dir, 'plugboard.yaml');
  await writeFile(path, HALF);
  const waits: number[] = [];
  const text = await readSettled(path, 50, async (ms) => {
    waits.push(ms);
    // The editor finishes its save during the first gap.
    if (waits.length === 1) await writeFile(path, FULL);
  });
  expect(text).toBe(FULL);
  expect(waits).toEqual([50, 50]);
});

test('readSettled gives up on a file that never stops changing', async () => {
  dir = await mkdtemp(join(tmpdir(), 'plugboard-watch-'));
  const path = join(dir, 'plugboard.yaml');
  await writeFile(path, 'a');
  let n = 0;
  const read = readSettled(path, 5, async () => {
    n += 1;
    await writeFile(path, 'a'.repeat(n + 1));
  });
  await expect(read).rejects.toThrow(
    `Config file '${path}' was still changing after 20 reads 5 ms apart, so it was not applied. Save it once more when the writing is done.`,
  );
});
