/** A duration: milliseconds as a number, or a string like `'500ms'`, `'30s'`, `'5m'`, `'1h'`. */
export type Duration = number | string;

export interface TaskOptions {
  /** Unique within the plugin; shown as `<plugin>.<name>` by the admin API. */
  name: string;
  /** Time between the end of one run and the start of the next. */
  every: Duration;
  /** Does the work. Must stop promptly when `signal` aborts (on timeout or on stop). */
  run: (signal: AbortSignal) => void | Promise<void>;
  /** A run still going after this long is aborted and recorded as `timeout`. Default: `every`. */
  timeout?: Duration;
  /** Run once right away instead of waiting `every` first. Default false. */
  runOnStart?: boolean;
}

export type TaskOutcome = 'ok' | 'error' | 'timeout' | 'aborted';

export interface TaskStatus {
  /** `<plugin>.<name>` */
  id: string;
  plugin: string;
  name: string;
  everyMs: number;
  timeoutMs: number;
  running: boolean;
  runs: number;
  lastStartedAt?: Date;
  lastDurationMs?: number;
  lastOutcome?: TaskOutcome;
  lastError?: string;
  nextRunAt?: Date;
}

export interface TaskHandle {
  status(): TaskStatus;
  /** Starts a run now unless one is running; resolves when that run ends. */
  runNow(): Promise<TaskStatus>;
  /** Stops scheduling; aborts a running run and waits for it to end. */
  cancel(): Promise<void>;
}

/** What `ctx.tasks` offers a plugin. Every task stops with the plugin. */
export interface PluginTasks {
  schedule(options: TaskOptions): TaskHandle;
  list(): TaskStatus[];
}
