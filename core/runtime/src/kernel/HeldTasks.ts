import { PlugboardError } from '@plugboard/plugin-api';
import type { TaskHandle, TaskOptions, TaskStatus } from '@plugboard/plugin-api';
import { checkTaskOptions } from '../tasks/checkTaskOptions.js';
import type { PluginTaskScope } from '../tasks/TaskScheduler.js';

/**
 * The `ctx.tasks` of a plugin instance started beside the one it replaces (a restart, make
 * before break). Its tasks are checked when scheduled but run only from `activate`, which the
 * kernel calls once the old instance has stopped: two instances never run a task of the same
 * name at once, and a new instance that fails to start never ran any.
 */
export class HeldTasks implements PluginTaskScope {
  readonly #plugin: string;
  readonly #held = new Map<string, HeldTask>();
  #scope: PluginTaskScope | undefined;
  #stopped = false;

  constructor(plugin: string) {
    this.#plugin = plugin;
  }

  schedule(options: TaskOptions): TaskHandle {
    if (this.#scope !== undefined) return this.#scope.schedule(options);
    // The scheduler's own checks: what it would refuse on activation is refused now, as it words it.
    const { id, name, everyMs, timeoutMs } = checkTaskOptions(this.#plugin, options, {
      stopped: this.#stopped,
      has: (n) => this.#held.has(n),
    });
    const status: TaskStatus = { id, plugin: this.#plugin, name, everyMs, timeoutMs, running: false, runs: 0 };
    const task = new HeldTask(options, status, () => this.#held.delete(name));
    this.#held.set(name, task);
    return task;
  }

  list(): TaskStatus[] {
    if (this.#scope !== undefined) return this.#scope.list();
    return [...this.#held.values()].map((task) => task.status());
  }

  async stopAll(): Promise<void> {
    this.#stopped = true;
    this.#held.clear();
    await this.#scope?.stopAll();
  }

  /**
   * Schedules the held tasks on `scope`, the plugin's real tasks; later calls go straight there.
   * Never throws: a task the scope refuses is left out and its error returned, so the others run.
   */
  activate(scope: PluginTaskScope): Error[] {
    if (this.#stopped) return [];
    this.#scope = scope;
    const errors: Error[] = [];
    for (const task of this.#held.values()) {
      try {
        task.bind(scope.schedule(task.options));
      } catch (err) {
        errors.push(err as Error);
      }
    }
    this.#held.clear();
    return errors;
  }
}

class HeldTask implements TaskHandle {
  readonly options: TaskOptions;
  readonly #status: TaskStatus;
  readonly #forget: () => void;
  #real: TaskHandle | undefined;

  constructor(options: TaskOptions, status: TaskStatus, forget: () => void) {
    this.options = options;
    this.#status = status;
    this.#forget = forget;
  }

  bind(real: TaskHandle): void {
    this.#real = real;
  }

  status(): TaskStatus {
    return this.#real?.status() ?? { ...this.#status };
  }

  runNow(): Promise<TaskStatus> {
    if (this.#real !== undefined) return this.#real.runNow();
    return Promise.reject(
      new PlugboardError(
        'invalidState',
        `Task '${this.#status.id}' cannot run yet: this start of plugin '${this.#status.plugin}' replaces a running one, and its tasks run once that one has stopped.`,
      ),
    );
  }

  cancel(): Promise<void> {
    if (this.#real !== undefined) return this.#real.cancel();
    this.#forget();
    return Promise.resolve();
  }
}
