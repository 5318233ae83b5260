import { PlugboardError } from '@plugboard/plugin-api';
import { parseDuration } from '@plugboard/plugin-api';
import type { Duration, TaskOptions } from '@plugboard/plugin-api';

/** What the checks need to know of the tasks a plugin already has. */
export interface TaskScopeState {
  /** True once the plugin's tasks were stopped: nothing more may be scheduled. */
  stopped: boolean;
  /** True when a task of this name is scheduled. */
  has(name: string): boolean;
  /** True when a task of this name was cancelled but its last run has not ended. */
  finishing?(name: string): boolean;
}

/** Options that passed the checks, with their durations in milliseconds. */
export interface CheckedTask {
  id: string;
  name: string;
  everyMs: number;
  timeoutMs: number;
}

/**
 * The checks `ctx.tasks.schedule` makes, in one place: the scheduler runs them, and so do the
 * tasks a restarting instance holds, so both refuse the same options with the same messages.
 * Throws `PlugboardError` naming the task and what to change.
 *
 * @example
 * const { id, everyMs } = checkTaskOptions('cache', options, { stopped: false, has: (n) => tasks.has(n) });
 */
export function checkTaskOptions(plugin: string, options: TaskOptions, state: TaskScopeState): CheckedTask {
  const { name } = options;
  if (typeof name !== 'string' || name.length === 0) {
    throw new PlugboardError('invalidArgument', `A task of plugin '${plugin}' has no name: give each task a non-empty 'name'.`);
  }
  const id = `${plugin}.${name}`;
  if (state.stopped) {
    throw new PlugboardError('invalidState', `Task '${id}' cannot be scheduled: plugin '${plugin}' has stopped its tasks.`);
  }
  if (state.has(name)) {
    throw new PlugboardError(
      'invalidArgument',
      `Task '${id}' is already scheduled: give each task of plugin '${plugin}' its own name, or cancel the first one.`,
    );
  }
  if (state.finishing?.(name) === true) {
    throw new PlugboardError(
      'invalidState',
      `Task '${id}' was cancelled but its last run has not ended yet: await its cancel() before scheduling it again.`,
    );
  }
  if (typeof options.run !== 'function') {
    throw new PlugboardError('invalidArgument', `Task '${id}' has no 'run' function: give it the function that does the work.`);
  }
  const everyMs = delayMs(options.every, `Task '${id}' every`);
  const timeoutMs = delayMs(options.timeout ?? options.every, `Task '${id}' timeout`);
  return { id, name, everyMs, timeoutMs };
}

/** A duration usable as a timer delay: more than 0 ms (parseDuration bounds it above). */
function delayMs(value: Duration, what: string): number {
  const ms = parseDuration(value, what);
  if (ms <= 0) {
    throw new PlugboardError('invalidArgument', `${what} is ${JSON.stringify(value)}: it must be more than 0 ms.`);
  }
  return ms;
}
