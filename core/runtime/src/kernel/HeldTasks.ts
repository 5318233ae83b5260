import type { Logger } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import type { TaskHandle, TaskOptions, TaskStatus } from '@plugboard/plugin-api';
import { TaskScheduler, type PluginTaskScope } from '../tasks/TaskScheduler.js';

/**
 * The `ctx.tasks` of a plugin instance started beside the one it replaces (a restart, make
 * before break). Its tasks are checked when scheduled but run only from `activate`, which the
 * kernel calls once the old instance has stopped: two instances never run a task of the same
 * name at once, and a new instance that fails to start never ran any.
 */
export class HeldTasks implements PluginTaskScope {
  readonly #plugin: string;
  /** Checks options exactly as the real scheduler does; its tasks are cancelled at once. */
  readonly #probe: PluginTaskScope;
  readonly #held = new Map<string, HeldTask>();
  #scope: PluginTaskScope | undefined;
  #stopped = false;

  constructor(plugin: string, logger: Logger) {
    this.#plugin = plugin;
    this.#probe = new TaskScheduler({ logger }).forPlugin(plugin, logger);
  }

  schedule(options: TaskOptions): TaskHandle {
    if (this.#scope !== undefined) return this.#scope.schedule(options);
    const id = `${this.#plugin}.${String(options.name)}`;
    if (this.#stopped) {
      throw new PlugboardError('invalidState', `Task '${id}' cannot be scheduled: plugin '${this.#plugin}' has stopped its tasks.`);
    }
    if (this.#held.has(options.name)) {
      throw new PlugboardError(
        'invalidArgument',
        `Task '${id}' is already scheduled: give each task of plugin '${this.#plugin}' its own name, or cancel the first one.`,
      );
    }
    // Cancelled in the same tick, so its timer never fires; what it throws is the real message.
    const probe = this.#probe.schedule(options);
    const { id: taskId, plugin, name, everyMs, timeoutMs } = probe.status();
    void probe.cancel();
    const status: TaskStatus = { id: taskId, plugin, name, everyMs, timeoutMs, running: false, runs: 0 };
    const task = new HeldTask(options, status, () => this.#held.delete(options.name));
    this.#held.set(options.name, task);
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
