import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchClosedError, BatchQueueFullError, DeadLetteredError, RetriesExhaustedError } from '../errors.js';
import { BatchProcessor } from './BatchProcessor.js';
import { isTransient } from './retry.js';
import type { BatchProcessorOptions } from './types.js';

interface Item {
  id: string;
  bad?: boolean;
}

/** A sink that records each batch; `fail` decides, per call, whether it throws. */
class FakeSink {
  readonly batches: string[][] = [];
  fail: (items: readonly Item[], attempt: number) => Error | undefined = () => undefined;
  readonly sink = async (items: readonly Item[], info: { attempt: number }): Promise<boolean[]> => {
    this.batches.push(items.map((i) => i.id));
    const err = this.fail(items, info.attempt);
    if (err !== undefined) throw err;
    return items.map(() => true);
  };
}

const transient = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
const violation = () => Object.assign(new Error('violates check constraint'), { code: '23514' });
const items = (n: number, from = 0): Item[] => Array.from({ length: n }, (_, i) => ({ id: `i${from + i}` }));

let sink: FakeSink;
const make = (overrides: Partial<BatchProcessorOptions<Item, boolean>> = {}) =>
  new BatchProcessor<Item, boolean>({
    name: 'test',
    sink: sink.sink,
    idOf: (i) => i.id,
    maxBatchSize: 4,
    maxDelayMs: 50,
    maxQueueSize: 100,
    whenFull: 'block',
    maxConcurrentFlushes: 1,
    retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.5 },
    isTransient,
    random: () => 0.5,
    ...overrides,
  });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  sink = new FakeSink();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('triggers', () => {
  it('writes a batch as soon as maxBatchSize items wait, without waiting for the delay', async () => {
    const p = make();
    const done = Promise.all(items(4).map((i) => p.enqueue(i)));
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.batches).toEqual([['i0', 'i1', 'i2', 'i3']]);
    expect(await done).toEqual([true, true, true, true]);
  });

  it('writes a partial batch once its oldest item waited maxDelay, not before', async () => {
    const p = make();
    const done = Promise.all(items(2).map((i) => p.enqueue(i)));
    await vi.advanceTimersByTimeAsync(49);
    expect(sink.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sink.batches).toEqual([['i0', 'i1']]);
    await done;
  });

  it('keeps the order of enqueues across and within batches', async () => {
    const p = make();
    const done = Promise.all(items(10).map((i) => p.enqueue(i)));
    await vi.advanceTimersByTimeAsync(50);
    await done;
    expect(sink.batches).toEqual([['i0', 'i1', 'i2', 'i3'], ['i4', 'i5', 'i6', 'i7'], ['i8', 'i9']]);
  });

  it('runs at most maxConcurrentFlushes sink calls at once', async () => {
    let running = 0;
    let most = 0;
    const p = make({
      maxConcurrentFlushes: 2,
      sink: async (batch) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running--;
        return batch.map(() => true);
      },
    });
    const done = Promise.all(items(20).map((i) => p.enqueue(i)));
    await vi.advanceTimersByTimeAsync(200);
    await done;
    expect(most).toBe(2);
  });
});

describe('when full', () => {
  it('block: the caller waits until an item settles, then its item is written', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const p = make({ maxQueueSize: 2, maxBatchSize: 2, sink: async (b) => (await gate, b.map(() => true)) });
    const first = [p.enqueue({ id: 'a' }), p.enqueue({ id: 'b' })];
    let thirdDone = false;
    const third = p.enqueue({ id: 'c' }).then((v) => ((thirdDone = true), v));
    await vi.advanceTimersByTimeAsync(100);
    expect(p.depth).toBe(2);
    expect(p.blocked).toBe(1);
    expect(thirdDone).toBe(false);
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(await Promise.all([...first, third])).toEqual([true, true, true]);
    expect(p.depth).toBe(0);
  });

  it('reject: the caller gets BatchQueueFullError at once and nothing of it is written', async () => {
    const rejected = vi.fn();
    const p = make({ maxQueueSize: 2, whenFull: 'reject', retryAfterSeconds: 3, observer: { rejected } });
    const accepted = [p.enqueue({ id: 'a' }), p.enqueue({ id: 'b' })];
    const err = await p.enqueue({ id: 'c' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchQueueFullError);
    expect((err as BatchQueueFullError).message).toBe(
      "The 'test' batch queue is full (2 writes waiting): nothing was stored. Retry after 3 s, or raise plugins.batching.maxQueueSize (or set whenFull: block).",
    );
    expect((err as BatchQueueFullError).retryAfterSeconds).toBe(3);
    expect(rejected).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(50);
    await Promise.all(accepted);
    expect(sink.batches.flat()).toEqual(['a', 'b']);
  });
});

describe('retry', () => {
  it('retries a transient failure with exponential backoff and jitter, then resolves', async () => {
    const retried: number[] = [];
    const p = make({ observer: { retried: (_attempt, delay) => retried.push(delay) } });
    sink.fail = (_items, attempt) => (attempt <= 3 ? transient() : undefined);
    const done = p.enqueue({ id: 'a' });
    await vi.advanceTimersByTimeAsync(50 + 75 + 150 + 300);
    expect(await done).toBe(true);
    // base 100, 200, 400 with half of each random (random() = 0.5): 75, 150, 300.
    expect(retried).toEqual([75, 150, 300]);
    expect(sink.batches).toEqual([['a'], ['a'], ['a'], ['a']]);
  });

  it('gives up after maxAttempts with RetriesExhaustedError carrying the last error', async () => {
    const p = make();
    sink.fail = () => transient();
    const done = p.enqueue({ id: 'a' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const err = (await done) as RetriesExhaustedError;
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(err.attempts).toBe(4);
    expect((err.cause as Error).message).toBe('Connection terminated unexpectedly');
    expect(sink.batches).toHaveLength(4);
  });
});

describe('permanent failures', () => {
  it('bisects a batch until the bad item is alone, dead-letters it and writes the rest', async () => {
    const dead: string[] = [];
    const flushes: { size: number; outcome?: string }[] = [];
    const observer = {
      flushStarted(size: number) {
        const flush: { size: number; outcome?: string } = { size };
        flushes.push(flush);
        return { end: (outcome: string) => void (flush.outcome = outcome) };
      },
    };
    const p = make({ maxBatchSize: 8, deadLetter: async (item) => void dead.push(item.id), observer });
    sink.fail = (batch) => (batch.some((i) => i.bad === true) ? violation() : undefined);
    const batch = items(8).map((i) => (i.id === 'i5' ? { ...i, bad: true } : i));
    const results = await Promise.allSettled(batch.map((i) => p.enqueue(i)));
    await vi.advanceTimersByTimeAsync(0);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const err = (results[5] as PromiseRejectedResult).reason as DeadLetteredError;
    expect(err).toBeInstanceOf(DeadLetteredError);
    expect(err.message).toBe(
      "Record 'i5' was refused by the database (violates check constraint) and kept in the dead-letter table: fix the cause, then run 'plugboard batching replay'.",
    );
    expect((err.cause as { code: string }).code).toBe('23514');
    expect(dead).toEqual(['i5']);
    // One flush (one span) for the whole batch, its splits included, ending in error.
    expect(flushes).toEqual([{ size: 8, outcome: 'error' }]);
    expect(sink.batches).toEqual([
      ['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7'],
      ['i0', 'i1', 'i2', 'i3'],
      ['i4', 'i5', 'i6', 'i7'],
      ['i4', 'i5'],
      ['i4'],
      ['i5'],
      ['i6', 'i7'],
    ]);
  });

  it('says so when the dead-letter sink failed too', async () => {
    const p = make({ deadLetter: async () => Promise.reject(violation()) });
    sink.fail = () => violation();
    const done = p.enqueue({ id: 'a' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    const err = (await done) as DeadLetteredError;
    expect(err.message).toBe("Record 'a' was refused by the database (violates check constraint), and keeping it in the dead-letter table failed too: see the log.");
  });
});

describe('flush and close', () => {
  it('flush writes what waits without waiting for the delay and resolves once it settled', async () => {
    const p = make({ maxDelayMs: 60_000 });
    const done = Promise.all(items(3).map((i) => p.enqueue(i)));
    await p.flush();
    expect(sink.batches).toEqual([['i0', 'i1', 'i2']]);
    expect(await done).toEqual([true, true, true]);
  });

  it('close writes everything accepted, including blocked callers, then refuses new items', async () => {
    const p = make({ maxQueueSize: 3, maxDelayMs: 60_000 });
    const all = items(5).map((i) => p.enqueue(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(p.blocked).toBe(2);
    const closed = p.close();
    await expect(p.enqueue({ id: 'late' })).rejects.toBeInstanceOf(BatchClosedError);
    await closed;
    expect(await Promise.all(all)).toEqual([true, true, true, true, true]);
    expect(sink.batches.flat()).toEqual(['i0', 'i1', 'i2', 'i3', 'i4']);
    expect(p.depth).toBe(0);
  });

  it('close waits for a batch that is being retried', async () => {
    const p = make();
    sink.fail = (_b, attempt) => (attempt === 1 ? transient() : undefined);
    const done = p.enqueue({ id: 'a' });
    let closed = false;
    const closing = p.close().then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(closed).toBe(false);
    expect(p.pendingIds()).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(100);
    await closing;
    expect(await done).toBe(true);
  });
});
