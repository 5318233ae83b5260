import { PlugboardError } from '@plugboard/plugin-api';

/**
 * Resolves as `work` does, or rejects with a `timeout` PlugboardError carrying `message` once
 * `ms` pass first. The work itself goes on (a promise cannot be cancelled); callers abort it
 * through their own AbortSignal.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PlugboardError('timeout', message)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
