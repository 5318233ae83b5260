import { PlugboardError } from '@plugboard/plugin-api';

/**
 * The PlugboardError that `work` throws or rejects with, for asserting its kind and exact
 * message. Anything else it throws is rethrown; finishing without an error fails the test.
 *
 * @example
 * const err = await plugboardErrorOf(kernel.enable('ghost'));
 * expect(err.kind).toBe('invalidArgument');
 */
export async function plugboardErrorOf(work: Promise<unknown> | (() => unknown)): Promise<PlugboardError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    if (PlugboardError.is(err)) return err;
    throw err;
  }
  throw new Error('Expected a PlugboardError, but nothing was thrown.');
}
