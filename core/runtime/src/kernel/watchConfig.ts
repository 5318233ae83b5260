import { watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import { errorMessage } from '../util/errorMessage.js';

export interface WatchConfigOptions {
  path: string;
  debounceMs: number;
  /** Gap between two reads that must agree before the file counts as saved. Default: `debounceMs`. */
  settleMs?: number;
  logger: Logger;
  /**
   * Applies the changed file, given its settled text (undefined when the file is gone), so what
   * was checked to be whole is what gets applied, not a later read; a rejection is logged and
   * the running config is kept.
   */
  reload: (text: string | undefined) => Promise<unknown>;
}

/**
 * Watches the config file and calls `reload` once edits have been quiet for `debounceMs` and the
 * file has settled (see {@link readSettled}). Watches the folder rather than the file, because
 * editors save by writing a new file and renaming it over the old one, which ends a watch on the
 * file itself.
 *
 * @returns a function that stops watching.
 */
export function watchConfig(options: WatchConfigOptions): () => void {
  const { path, debounceMs, logger } = options;
  const settleMs = options.settleMs ?? debounceMs;
  const file = basename(path);
  let timer: NodeJS.Timeout | undefined;
  // Bumped by every event: a settle that an edit overtook leaves the reload to the edit's own.
  let edits = 0;
  let stopped = false;

  const settleThenReload = async (edit: number): Promise<void> => {
    let text: string | undefined;
    try {
      text = await readSettled(path, settleMs);
    } catch (err) {
      logger.error({ err }, `The changed config was not applied and the running one is kept: ${errorMessage(err)}`);
      return;
    }
    if (edit !== edits || stopped) return;
    logger.info(`Config file '${path}' changed; reloading.`);
    await options.reload(text).catch((err: unknown) => {
      const problems = PlugboardError.is(err) ? (err.details['problems'] as string[] | undefined) : undefined;
      logger.error({ err, problems }, `The changed config was rejected and the running one is kept: ${errorMessage(err)}`);
    });
  };

  const watcher = watch(dirname(path), (_event, changed) => {
    if (changed !== null && changed.toString() !== file) return;
    edits += 1;
    const edit = edits;
    clearTimeout(timer);
    timer = setTimeout(() => void settleThenReload(edit), debounceMs);
    timer.unref();
  });
  watcher.unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
    watcher.close();
  };
}

interface Snapshot {
  text: string | undefined;
  size: number;
  mtimeMs: number;
}

/** How many times {@link readSettled} reads before it gives up on a file that keeps changing. */
const MAX_READS = 20;

/**
 * The file's text once two reads `gapMs` apart agree on its content, size and modification
 * time: an editor's save that is still being written (truncated, then filled) is not applied
 * half-way. A file that is missing on both reads counts as settled; the reload then says so.
 *
 * @throws PlugboardError `configInvalid` when the file is still changing after 20 reads
 *
 * @example
 * const text = await readSettled('config/plugboard.yaml', 300);
 */
export async function readSettled(
  path: string,
  gapMs: number,
  wait: (ms: number) => Promise<unknown> = delay,
): Promise<string | undefined> {
  let before = await snapshot(path);
  for (let reads = 1; reads < MAX_READS; reads += 1) {
    await wait(gapMs);
    const after = await snapshot(path);
    if (after.text === before.text && after.size === before.size && after.mtimeMs === before.mtimeMs) return after.text;
    before = after;
  }
  throw new PlugboardError(
    'configInvalid',
    `Config file '${path}' was still changing after ${MAX_READS} reads ${gapMs} ms apart, so it was not applied. Save it once more when the writing is done.`,
    { details: { path } },
  );
}

async function snapshot(path: string): Promise<Snapshot> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    return { text, size: info.size, mtimeMs: info.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: undefined, size: -1, mtimeMs: -1 };
    throw err;
  }
}
