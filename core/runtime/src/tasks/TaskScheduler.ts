/**
 * Background tasks of every plugin. Each plugin gets its own `ctx.tasks` from
 * {@link TaskScheduler.forPlugin}; the kernel stops those with the plugin, and all of them on
 * shutdown. Runs of one task never overlap: the next run is timed from the end of the last one.
 */
import type { Logger } from 'pino';
import { checkTaskOptions } from './checkTaskOptions.js';
import { ScheduledTask } from './ScheduledTask.js';
import { systemClock } from '@plugboard/plugin-api';
import type { Clock, PluginTasks, TaskHandle, TaskOptions, TaskStatus } from '@plugboard/plugin-api';

export interface TaskSchedulerOptions {
  logger: Logger;
  /** What times the runs: the kernel's `core.clock`. Default: the system clock. */
  clock?: Clock;
  /** Called after every run of every task with its status, for example to record metrics. */
  onRunEnd?: (status: TaskStatus) => void;
}

/** The `ctx.tasks` of one plugin, plus what the kernel needs to stop them. */
export type PluginTaskScope = PluginTasks & {
  /** Cancels every task of the plugin and waits for running runs to end (bounded by their timeouts). */
  stopAll(): Promise<void>;
};


/**
 * Runs plugins' background tasks.
 *
 * @example
 * const scheduler = new TaskScheduler({ logger });
 * const tasks = scheduler.forPlugin('conversations');
 * tasks.schedule({ name: 'purge-cache', every: '5m', run: (signal) => cache.purge(signal) });
 * scheduler.list(); // [{ id: 'conversations.purge-cache', everyMs: 300000, running: false, ... }]
 * await scheduler.stopAll();
 */
export class TaskScheduler {
  private readonly options: TaskSchedulerOptions;
  private readonly groups = new Map<string, PluginTaskGroup>();

  constructor(options: TaskSchedulerOptions) {
    this.options = options;
  }

  /**
   * The `ctx.tasks` of one plugin. While the plugin's task group has not been stopped, the same
   * one is returned for the same plugin name.
   */
  forPlugin(plugin: string, logger?: Logger): PluginTaskScope {
    const existing = this.groups.get(plugin);
    if (existing) return existing.api;
    const clock = this.options.clock ?? systemClock;
    const group = new PluginTaskGroup(plugin, logger ?? this.options.logger.child({ plugin }), clock, this.options.onRunEnd, () => {
      if (this.groups.get(plugin) === group) this.groups.delete(plugin);
    });
    this.groups.set(plugin, group);
    return group.api;
  }

  /** Every task of every plugin. */
  list(): TaskStatus[] {
    return [...this.groups.values()].flatMap((group) => group.api.list());
  }

  /** Stops every task of every plugin (used on shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.groups.values()].map((group) => group.api.stopAll()));
  }
}

/** The tasks of one plugin: what its `ctx.tasks` schedules, lists and the kernel stops with it. */
class PluginTaskGroup {
  readonly api: PluginTaskScope;
  private readonly tasks = new Map<string, ScheduledTask>();
  /** Cancelled tasks whose last run has not ended yet: still listed, and waited for on stop. */
  private readonly finishing = new Set<ScheduledTask>();
  private stopped = false;

  constructor(
    private readonly plugin: string,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly onRunEnd: ((status: TaskStatus) => void) | undefined,
    private readonly onStopped: () => void,
  ) {
    this.api = {
      schedule: (options) => this.schedule(options),
      // Once the plugin stopped its tasks, a run that ignored its abort is no longer listed (its
      // warning was logged); until then a cancelled task's last run is shown while it goes on.
      list: () => [...this.tasks.values(), ...(this.stopped ? [] : this.stillFinishing())].map((task) => task.status()),
      stopAll: () => this.stopAll(),
    };
  }

  private schedule(options: TaskOptions): TaskHandle {
    const { name, everyMs, timeoutMs } = checkTaskOptions(this.plugin, options, {
      stopped: this.stopped,
      has: (n) => this.tasks.has(n),
      finishing: (n) => this.stillFinishing().some((task) => task.status().name === n),
    });
    const onRunEnd = this.onRunEnd ?? (() => undefined);
    const task = new ScheduledTask({
      plugin: this.plugin,
      name,
      everyMs,
      timeoutMs,
      runOnStart: options.runOnStart ?? false,
      run: options.run,
      logger: this.logger,
      clock: this.clock,
      onRunEnd,
      onCancel: () => {
        if (this.tasks.get(name) === task) this.tasks.delete(name);
        this.finishing.add(task);
      },
    });
    this.tasks.set(name, task);
    return task;
  }

  private async stopAll(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.onStopped();
    }
    await Promise.all([...this.tasks.values(), ...this.stillFinishing()].map((task) => task.cancel()));
  }

  /** The cancelled tasks whose run is still going; forgets those that have ended. */
  private stillFinishing(): ScheduledTask[] {
    for (const task of this.finishing) if (!task.status().running) this.finishing.delete(task);
    return [...this.finishing];
  }
}
