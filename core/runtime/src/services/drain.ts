import type { ProviderInstance } from './RefEntry.js';

/**
 * Resolves once `instance` has no call in flight, or after `timeoutMs`, whichever comes first;
 * `onTimeout` gets the number of calls still running when time ran out.
 *
 * @example
 * await drainInstance(old, 10_000, (n) => logger.warn({ inFlight: n }, 'drain timed out'));
 */
export function drainInstance(
  instance: ProviderInstance,
  timeoutMs: number,
  onTimeout: (inFlight: number) => void,
): Promise<void> {
  if (instance.inFlight === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      instance.onDrained = undefined;
      onTimeout(instance.inFlight);
      resolve();
    }, timeoutMs);
    instance.onDrained = () => {
      clearTimeout(timer);
      instance.onDrained = undefined;
      resolve();
    };
  });
}
