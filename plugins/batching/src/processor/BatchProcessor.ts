import { performance } from 'node:perf_hooks';
import { trace, type SpanContext } from '@opentelemetry/api';
import { BatchClosedError, BatchQueueFullError, DeadLetteredError, RetriesExhaustedError } from '../errors.js';
import { backoffDelay } from './retry.js';
import type { BatchProcessorOptions, FlushObservation } from './types.js';

/** The global timer (not node:timers/promises), so tests with fake timers control retries too. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Entry<T, R> {
  item: T;
  seq: number;
  /** Date.now() at enqueue (the global clock, which tests may fake). */
  at: number;
  link: SpanContext | undefined;
  resolve(value: R): void;
  reject(err: unknown): void;
  /** Settles (never rejects) when the entry did. */
  settled: Promise<unknown>;
}

/**
 * Collects items from many callers into batches and writes each batch with one sink call:
 * when `maxBatchSize` items wait, or the oldest waited `maxDelayMs`, or on `flush()`/`close()`.
 * At most `maxQueueSize` items are pending (queued or being written); past that an enqueue waits
 * (`block`) or is refused with {@link BatchQueueFullError} (`reject`). A batch failing with a
 * transient error is retried whole with exponential backoff and jitter; one failing for good is
 * split in halves until the items at fault are alone, and those go to the dead-letter sink while
 * the rest is written. Each enqueue's promise settles once its item is durable (with the sink's
 * result for it) or has finally failed.
 *
 * @example
 * const processor = new BatchProcessor({ name: 'rows', sink: async (rows) => insertAll(rows), idOf: (r) => r.id,
 *   maxBatchSize: 1000, maxDelayMs: 5, maxQueueSize: 10_000, whenFull: 'block', maxConcurrentFlushes: 2,
 *   retry: DEFAULT_RETRY, isTransient });
 * const stored = await processor.enqueue(row); // resolved once the row's batch committed
 * await processor.close();                     // writes everything accepted, then takes nothing more
 */
export class BatchProcessor<T, R> {
  private readonly queue: Entry<T, R>[] = [];
  private readonly pending = new Set<Entry<T, R>>();
  /** Blocked enqueues, oldest first; each is woken with a slot reserved for it. */
  private readonly waiters: (() => void)[] = [];
  private reserved = 0;
  private flights = 0;
  private seq = 0;
  /** Items up to this sequence number are flushed without waiting for their batch to fill. */
  private forceSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private idleListeners: (() => void)[] = [];
  private readonly random: () => number;

  constructor(private readonly options: BatchProcessorOptions<T, R>) {
    this.random = options.random ?? Math.random;
  }

  /** Items accepted and not settled yet (queued or being written). */
  get depth(): number {
    return this.pending.size;
  }

  /** Callers waiting for room (`block` policy). */
  get blocked(): number {
    return this.waiters.length;
  }

  get closed(): boolean {
    return this.closing;
  }

  /** The ids of the items accepted and not settled yet, for the log of a shutdown that ran out of time. */
  pendingIds(): string[] {
    return [...this.pending].map((e) => this.options.idOf(e.item));
  }

  /**
   * Queues `item`; resolves with the sink's result for it once its batch is durable, rejects
   * with the error that finally kept it out (after retries; a dead-lettered item with
   * {@link DeadLetteredError}). Throws {@link BatchClosedError} after `close()`, and
   * {@link BatchQueueFullError} when full under the `reject` policy.
   */
  async enqueue(item: T): Promise<R> {
    if (this.closing) throw new BatchClosedError(this.options.name);
    // Captured now: the flush runs later, outside the caller's context.
    const link = trace.getActiveSpan()?.spanContext();
    if (this.pending.size + this.reserved >= this.options.maxQueueSize || this.waiters.length > 0) {
      if (this.options.whenFull === 'reject') {
        this.options.observer?.rejected?.();
        throw new BatchQueueFullError(this.options.name, this.options.maxQueueSize, this.options.retryAfterSeconds ?? 1);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.reserved--;
    }
    return this.accept(item, link);
  }

  /** Writes everything accepted so far without waiting for batches to fill; resolves once all of it settled. */
  async flush(): Promise<void> {
    const targets = [...this.pending].map((e) => e.settled);
    this.forceSeq = this.seq;
    this.pump();
    await Promise.all(targets);
  }

  /**
   * Takes no more items (an enqueue throws {@link BatchClosedError}; callers already blocked are
   * still taken), writes everything accepted, and resolves when nothing is pending. Idempotent.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.pump();
    while (!this.isIdle()) await new Promise<void>((resolve) => this.idleListeners.push(resolve));
  }

  private accept(item: T, link: SpanContext | undefined): Promise<R> {
    let resolve!: (value: R) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<R>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Entry<T, R> = { item, seq: ++this.seq, at: Date.now(), link, resolve, reject, settled: promise.then(() => undefined, () => undefined) };
    this.pending.add(entry);
    this.queue.push(entry);
    this.pump();
    return promise;
  }

  private isDue(entry: Entry<T, R>): boolean {
    return (
      this.closing ||
      this.queue.length >= this.options.maxBatchSize ||
      entry.seq <= this.forceSeq ||
      Date.now() - entry.at >= this.options.maxDelayMs
    );
  }

  /** Starts every batch that is due and may start, then arms the timer for the oldest one left. */
  private pump(): void {
    while (this.flights < this.options.maxConcurrentFlushes && this.queue.length > 0 && this.isDue(this.queue[0]!)) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      this.flights++;
      void this.runFlight(batch).finally(() => {
        this.flights--;
        this.pump();
      });
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const oldest = this.queue[0];
    if (oldest === undefined || this.flights >= this.options.maxConcurrentFlushes) return;
    const wait = Math.max(0, oldest.at + this.options.maxDelayMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.ceil(wait));
  }

  private async runFlight(batch: Entry<T, R>[]): Promise<void> {
    const links = batch.flatMap((e) => (e.link === undefined ? [] : [e.link]));
    const observation = this.options.observer?.flushStarted?.(batch.length, links);
    const started = performance.now();
    try {
      const failure = await this.write(batch, observation);
      observation?.end(failure === undefined ? 'ok' : 'error', (performance.now() - started) / 1000, failure);
    } catch (err) {
      // write() settles every entry itself; this is a bug in the processor or the observer.
      for (const entry of batch) this.settle(entry, () => entry.reject(err));
      observation?.end('error', (performance.now() - started) / 1000, err);
    }
  }

  /**
   * Writes `batch`, retrying transient failures and bisecting permanent ones; settles every
   * entry. Resolves with the first error an entry ended with, undefined when all were written.
   */
  private async write(batch: Entry<T, R>[], observation: FlushObservation | undefined): Promise<unknown> {
    const items = batch.map((e) => e.item);
    for (let attempt = 1; ; attempt++) {
      let results: readonly R[];
      try {
        results = await this.options.sink(items, { attempt });
      } catch (err) {
        observation?.attempt?.(attempt, err);
        if (this.options.isTransient(err)) {
          if (attempt >= this.options.retry.maxAttempts) {
            const failure = new RetriesExhaustedError(attempt, err);
            for (const entry of batch) this.settle(entry, () => entry.reject(failure));
            return failure;
          }
          const delay = backoffDelay(attempt, this.options.retry, this.random);
          this.options.observer?.retried?.(attempt, delay, err);
          await sleep(delay);
          continue;
        }
        if (batch.length === 1) return this.deadLetter(batch[0]!, err);
        const half = Math.ceil(batch.length / 2);
        const first = await this.write(batch.slice(0, half), observation);
        const second = await this.write(batch.slice(half), observation);
        return first ?? second;
      }
      if (results.length !== batch.length) {
        const err = new Error(`The '${this.options.name}' sink returned ${results.length} results for ${batch.length} items: it must return one per item.`);
        for (const entry of batch) this.settle(entry, () => entry.reject(err));
        return err;
      }
      batch.forEach((entry, i) => this.settle(entry, () => entry.resolve(results[i]!)));
      this.options.observer?.written?.(batch.length);
      return undefined;
    }
  }

  /** Keeps an item refused for good (retrying the dead-letter sink's transient failures), then rejects its caller. */
  private async deadLetter(entry: Entry<T, R>, error: unknown): Promise<DeadLetteredError> {
    const id = this.options.idOf(entry.item);
    const reason = error instanceof Error ? error.message : String(error);
    let stored = this.options.deadLetter === undefined;
    let keepError: unknown;
    for (let attempt = 1; this.options.deadLetter !== undefined && !stored; attempt++) {
      try {
        await this.options.deadLetter(entry.item, error);
        stored = true;
      } catch (err) {
        keepError = err;
        if (!this.options.isTransient(err) || attempt >= this.options.retry.maxAttempts) break;
        await sleep(backoffDelay(attempt, this.options.retry, this.random));
      }
    }
    this.options.observer?.deadLettered?.(error);
    const failure = new DeadLetteredError(id, reason, { cause: error, stored });
    if (keepError !== undefined && !stored) (failure as { keepError?: unknown }).keepError = keepError;
    this.settle(entry, () => entry.reject(failure));
    return failure;
  }

  private settle(entry: Entry<T, R>, outcome: () => void): void {
    if (!this.pending.delete(entry)) return;
    outcome();
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.reserved++;
      waiter();
    }
    if (this.isIdle()) {
      const listeners = this.idleListeners;
      this.idleListeners = [];
      for (const listener of listeners) listener();
    }
  }

  private isIdle(): boolean {
    return this.pending.size === 0 && this.waiters.length === 0 && this.reserved === 0;
  }
}
