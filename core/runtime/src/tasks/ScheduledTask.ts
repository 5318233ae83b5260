/**
 * One scheduled background task: its timer, its runs and the facts kept about them.
 * {@link TaskScheduler} builds these; plugins only ever see the {@link TaskHandle} side.
 */
import type { Logger } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import type { Clock, ClockTimer, TaskHandle, TaskOutcome, TaskStatus } from '@plugboard/plugin-api';
import { errorMessage } from '../util/errorMessage.js';

export interface ScheduledTaskOptions {
  plugin: string;
  name: string;
  everyMs: number;
  timeoutMs: number;
  runOnStart: boolean;
  run: (signal: AbortSignal) => void | Promise<void>;
  logger: Logger;
  /**
   * When runs start, and the times in the status. A test clock moves the schedule by hand; run
   * timeouts stay on real time, as they bound real work.
   */
  clock: Clock;
  /** Called after every run with the task's status (for metrics); must not throw. */
  onRunEnd: (status: TaskStatus) => void;
  /** Called once, synchronously, when the task is cancelled (so its name can be reused). */
  onCancel: () => void;
}

/** Why a run's signal was aborted, as the outcome it leads to. */
type AbortCause = 'timeout' | 'aborted';

export class ScheduledTask implements TaskHandle {
  readonly id: string;
  private readonly options: ScheduledTaskOptions;
  private timer: ClockTimer | undefined;
  private nextRunAt: Date | undefined;
  /** The run in progress; cleared only when its promise settles, so runs never overlap. */
  private current: Promise<TaskStatus> | undefined;
  /** Aborts the current run's signal, recording why; undefined while no run is going. */
  private abort: ((cause: AbortCause, reason: unknown) => void) | undefined;
  private cancelled: Promise<void> | undefined;
  private runs = 0;
  private lastStartedAt: Date | undefined;
  private lastDurationMs: number | undefined;
  private lastOutcome: TaskOutcome | undefined;
  private lastError: string | undefined;

  constructor(options: ScheduledTaskOptions) {
    this.options = options;
    this.id = `${options.plugin}.${options.name}`;
    this.arm(options.runOnStart ? 0 : options.everyMs);
  }

  status(): TaskStatus {
    const { plugin, name, everyMs, timeoutMs } = this.options;
    const status: TaskStatus = { id: this.id, plugin, name, everyMs, timeoutMs, running: this.current !== undefined, runs: this.runs };
    if (this.lastStartedAt) status.lastStartedAt = new Date(this.lastStartedAt);
    if (this.lastDurationMs !== undefined) status.lastDurationMs = this.lastDurationMs;
    if (this.lastOutcome) status.lastOutcome = this.lastOutcome;
    if (this.lastError !== undefined) status.lastError = this.lastError;
    if (this.nextRunAt) status.nextRunAt = new Date(this.nextRunAt);
    return status;
  }

  runNow(): Promise<TaskStatus> {
    if (this.current) return this.current;
    if (this.cancelled) {
      return Promise.reject(
        new PlugboardError('invalidState', `Task '${this.id}' was cancelled and cannot run; schedule it again to run it.`),
      );
    }
    return this.start();
  }

  cancel(): Promise<void> {
    this.cancelled ??= this.stop();
    return this.cancelled;
  }

  private async stop(): Promise<void> {
    this.disarm();
    this.options.onCancel();
    const running = this.current;
    if (!running) return;
    this.abort?.('aborted', new DOMException(`Task '${this.id}' was cancelled.`, 'AbortError'));
    const { timeoutMs } = this.options;
    let bound: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      running.then(() => false),
      new Promise<boolean>((resolve) => {
        bound = setTimeout(() => resolve(true), timeoutMs);
        bound.unref();
      }),
    ]);
    clearTimeout(bound);
    if (gaveUp) {
      this.options.logger.warn(
        { task: this.id },
        `Task '${this.id}' ignored its abort signal and was still running ${timeoutMs} ms after being cancelled; no longer waiting for it.`,
      );
    }
  }

  private start(): Promise<TaskStatus> {
    this.disarm();
    const { timeoutMs, logger } = this.options;
    const controller = new AbortController();
    let abortCause: AbortCause | undefined;
    this.abort = (cause, reason) => {
      if (controller.signal.aborted) return;
      abortCause = cause;
      controller.abort(reason);
    };
    const timeoutMessage = `Task '${this.id}' ran longer than its timeout of ${timeoutMs} ms and was aborted.`;
    let graceTimer: NodeJS.Timeout | undefined;
    const timeoutTimer = setTimeout(() => {
      this.abort?.('timeout', new PlugboardError('timeout', timeoutMessage));
      logger.warn({ task: this.id }, timeoutMessage);
      // A run that ignores its signal holds back the next one; say so once it has had as long again.
      graceTimer = setTimeout(() => {
        logger.warn(
          { task: this.id },
          `Task '${this.id}' ignores its abort signal: it is still running ${timeoutMs} ms after its timeout, and its next run waits until it ends.`,
        );
      }, timeoutMs);
      graceTimer.unref();
    }, timeoutMs);
    timeoutTimer.unref();

    const startedAt = this.options.clock.now();
    this.runs += 1;
    this.lastStartedAt = new Date(startedAt);
    const settle = (err: unknown, failed: boolean): TaskStatus => {
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      const outcome: TaskOutcome = abortCause ?? (failed ? 'error' : 'ok');
      const message = outcome === 'timeout' ? timeoutMessage : outcome === 'error' ? errorMessage(err) : undefined;
      return this.finish(startedAt, outcome, message, err);
    };
    // `new Promise` turns a synchronous throw of `run` into a rejection like any other.
    const work = this.options.run;
    const run = new Promise<void>((resolve) => resolve(work(controller.signal))).then(
      () => settle(undefined, false),
      (err: unknown) => settle(err, true),
    );
    this.current = run;
    return run;
  }

  private finish(startedAt: number, outcome: TaskOutcome, message: string | undefined, err: unknown): TaskStatus {
    this.current = undefined;
    this.abort = undefined;
    this.lastDurationMs = this.options.clock.now() - startedAt;
    this.lastOutcome = outcome;
    this.lastError = message;
    if (outcome === 'error') {
      this.options.logger.error({ err, task: this.id }, `Task '${this.id}' failed: ${message}`);
    }
    if (!this.cancelled) this.arm(this.options.everyMs);
    const status = this.status();
    try {
      this.options.onRunEnd(status);
    } catch (hookErr) {
      this.options.logger.error({ err: hookErr, task: this.id }, `The run-end hook threw for task '${this.id}'.`);
    }
    return status;
  }

  private arm(delayMs: number): void {
    const { clock } = this.options;
    this.nextRunAt = new Date(clock.now() + delayMs);
    // The run is returned so a test clock's advance waits for it. Errors are recorded in the
    // status by the run itself; nothing is left to reject here. Clock types fn as () => void; a
    // promise returned anyway is ignored by the system clock and awaited by the TestClock.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      return this.start().then(() => undefined, () => undefined);
    }, delayMs);
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.nextRunAt = undefined;
  }
}
