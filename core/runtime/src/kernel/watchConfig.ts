import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import { errorMessage } from '../util/errorMessage.js';

export interface WatchConfigOptions {
  path: string;
  debounceMs: number;
  logger: Logger;
  /** Applies the changed file; a rejection is logged and the running config is kept. */
  reload: () => Promise<unknown>;
}

/**
 * Watches the config file and calls `reload` once edits have been quiet for `debounceMs`.
 * Watches the folder rather than the file, because editors save by writing a new file and
 * renaming it over the old one, which ends a watch on the file itself.
 *
 * @returns a function that stops watching.
 */
export function watchConfig(options: WatchConfigOptions): () => void {
  const { path, debounceMs, logger } = options;
  const file = basename(path);
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(path), (_event, changed) => {
    if (changed !== null && changed.toString() !== file) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      logger.info(`Config file '${path}' changed; reloading.`);
      options.reload().catch((err: unknown) => {
        const problems = PlugboardError.is(err) ? (err.details['problems'] as string[] | undefined) : undefined;
        logger.error(
          { err, problems },
          `The changed config was rejected and the running one is kept: ${errorMessage(err)}`,
        );
      });
    }, debounceMs);
    timer.unref();
  });
  watcher.unref();
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
