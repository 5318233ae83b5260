import type { SpanContext } from '@opentelemetry/api';
import type { RetryOptions } from './retry.js';

/**
 * Writes one batch. Resolves with one result per item, in the items' order, once all of them are
 * durable; rejects when the batch as a whole failed (nothing of it may be assumed stored). It must
 * be idempotent: a retry after an unknown outcome (a connection lost during COMMIT) sends the
 * same items again.
 */
export type BatchSink<T, R> = (items: readonly T[], info: { attempt: number }) => Promise<readonly R[]>;

/** Keeps an item the sink refused for good; rejects when it could not keep it. */
export type DeadLetterSink<T> = (item: T, error: unknown) => Promise<void>;

/** What happens to an enqueue when `maxQueueSize` writes are already pending. */
export type WhenFull = 'block' | 'reject';

/** Told what the processor does, for metrics and traces; every member optional. */
export interface BatchObserver {
  /** A batch is about to be written; `links` are the span contexts active at each item's enqueue. */
  flushStarted?(size: number, links: readonly SpanContext[]): FlushObservation | undefined;
  retried?(attempt: number, delayMs: number, error: unknown): void;
  deadLettered?(error: unknown): void;
  rejected?(): void;
  /** Items whose result is known, after a successful batch. */
  written?(count: number): void;
}

/** The lifetime of one batch's flush: its attempts, its bisects, its end. */
export interface FlushObservation {
  attempt?(attempt: number, error: unknown): void;
  end(outcome: 'ok' | 'error', durationS: number, error?: unknown): void;
}

export interface BatchProcessorOptions<T, R> {
  /** Used in errors and logs: `'conversations'`. */
  name: string;
  sink: BatchSink<T, R>;
  /** Where an item the sink refuses for good goes; without one, its caller's promise just rejects. */
  deadLetter?: DeadLetterSink<T>;
  /** How to name an item in errors and logs (its id). */
  idOf: (item: T) => string;
  /** Most items per sink call. */
  maxBatchSize: number;
  /** Longest an item waits for its batch to fill, in ms. */
  maxDelayMs: number;
  /** Most items accepted and not yet settled (queued or being written). */
  maxQueueSize: number;
  whenFull: WhenFull;
  /** Seconds a refused caller is told to wait (`reject` policy). */
  retryAfterSeconds?: number;
  /** Most sink calls at once. */
  maxConcurrentFlushes: number;
  retry: RetryOptions;
  /** Whether a sink error may go away by itself; permanent ones are bisected and dead-lettered. */
  isTransient: (err: unknown) => boolean;
  observer?: BatchObserver;
  /** For the jitter of retry delays. Default Math.random. */
  random?: () => number;
}
