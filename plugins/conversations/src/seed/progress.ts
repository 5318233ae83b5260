import cliProgress from 'cli-progress';
import type { SeedProgress } from './seed.js';

/** Where seed progress goes: a bar on a terminal, a log line per tenth of the work otherwise. */
export interface ProgressSink {
  update(progress: SeedProgress): void;
  stop(): void;
}

export interface ProgressOptions {
  /** A terminal gets a bar. Default process.stdout. */
  stream?: NodeJS.WriteStream;
  /** Where log lines go when `stream` is not a terminal. Default: write to `stream`. */
  log?: (line: string) => void;
}

/**
 * A progress bar (cli-progress) when `stream` is a TTY, otherwise a line each time another tenth
 * of the rows is done, so CI logs show progress without a line per chunk.
 *
 * @example
 * const sink = createProgress({ stream: process.stdout });
 * await seed({ ...options, onProgress: (p) => sink.update(p) }).finally(() => sink.stop());
 */
export function createProgress(options: ProgressOptions = {}): ProgressSink {
  const stream = options.stream ?? process.stdout;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: 'seed [{bar}] {percentage}% | {value}/{total} rows | {phase} | {duration_formatted}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (!started) {
          bar.start(p.total, 0, { phase: p.phase });
          started = true;
        }
        bar.update(p.done, { phase: p.phase });
      },
      stop: () => bar.stop(),
    };
  }
  const log = options.log ?? ((line: string) => stream.write(`${line}\n`));
  let lastTenth = -1;
  return {
    update(p) {
      const tenth = p.total === 0 ? 10 : Math.floor((p.done / p.total) * 10);
      if (tenth === lastTenth && p.phase !== 'counters') return;
      lastTenth = tenth;
      log(`seed: ${p.phase}, ${p.done}/${p.total} rows (${Math.round((p.done / Math.max(1, p.total)) * 100)}%)`);
    },
    stop: () => undefined,
  };
}
