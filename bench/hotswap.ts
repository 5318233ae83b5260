/**
 * Hot swapping under load: 64 caller loops keep an async service busy while its provider is
 * swapped again and again, alternating "register a higher-ranked provider, then unregister the
 * old one" with `replace`. Every provider checks, when disposed, that no call is still running
 * on it, and that no call reached it after it was disposed. Prints a table, then one JSON line.
 */
import { pino } from 'pino';
import { ServiceRegistry } from '../core/runtime/src/services/ServiceRegistry.js';
import { serviceRef } from '@plugboard/plugin-api';
import type { ProviderRegistration } from '@plugboard/plugin-api';
import { percentile, round2 } from './stats.js';

interface Echo {
  /** Resolves after a macrotask, so calls are genuinely in flight when a swap happens. */
  echo(n: number): Promise<number>;
  /** Which provider answered: checks, right after a swap, that new calls reach the new one. */
  id(): number;
}

const CALLERS = 64;
const SWAPS = 2_000;
/** Event-loop turns between swaps, so each provider serves a batch of calls. */
const TURNS_BETWEEN_SWAPS = 2;

const echoRef = serviceRef<Echo>('bench.echo');
const registry = new ServiceRegistry({ logger: pino({ level: 'warn' }) });
const handle = registry.handle(echoRef);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const counts = { calls: 0, thrown: 0, disposedBusy: 0, callsAfterDispose: 0, misrouted: 0 };

class EchoProvider implements Echo {
  #inFlight = 0;
  #disposed = false;
  constructor(readonly number: number) {}

  async echo(n: number): Promise<number> {
    if (this.#disposed) counts.callsAfterDispose += 1;
    this.#inFlight += 1;
    try {
      await nextTurn();
      return n;
    } finally {
      this.#inFlight -= 1;
    }
  }

  id(): number {
    return this.number;
  }

  dispose = (): void => {
    if (this.#inFlight !== 0) counts.disposedBusy += 1;
    this.#disposed = true;
  };
}

const elapsedUs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1_000;

async function caller(stop: { done: boolean }, seed: number): Promise<void> {
  for (let i = seed; !stop.done; i += CALLERS) {
    try {
      const answer = await handle.echo(i);
      if (answer !== i) throw new Error(`echo(${i}) answered ${answer}`);
    } catch {
      counts.thrown += 1;
    }
    counts.calls += 1;
  }
}

async function main(): Promise<void> {
  let number = 0;
  let provider = new EchoProvider(number);
  let registration: ProviderRegistration<Echo> = registry.register(echoRef, provider, {
    owner: 'bench-0',
    ranking: number,
    dispose: provider.dispose,
  });

  const stop = { done: false };
  const started = process.hrtime.bigint();
  const callers = Array.from({ length: CALLERS }, (_, seed) => caller(stop, seed));
  const swapUs: number[] = [];
  const drainUs: number[] = [];
  const drains: Promise<void>[] = [];

  for (let swap = 1; swap <= SWAPS; swap++) {
    for (let turn = 0; turn < TURNS_BETWEEN_SWAPS; turn++) await nextTurn();
    number += 1;
    const next = new EchoProvider(number);
    const start = process.hrtime.bigint();
    let drained: Promise<void>;
    if (swap % 2 === 1) {
      const old = registration;
      registration = registry.register(echoRef, next, { owner: `bench-${number}`, ranking: number, dispose: next.dispose });
      drained = old.unregister();
    } else {
      drained = registration.replace(next, next.dispose);
    }
    swapUs.push(elapsedUs(start));
    if (handle.id() !== number) counts.misrouted += 1;
    drains.push(drained.then(() => void drainUs.push(elapsedUs(start))));
  }

  stop.done = true;
  await Promise.all(callers);
  await Promise.all(drains);
  await registration.unregister();
  const seconds = elapsedUs(started) / 1e6;

  const failed = counts.thrown + counts.disposedBusy + counts.callsAfterDispose + counts.misrouted;
  console.log(`hotswap: ${CALLERS} callers, ${SWAPS} swaps (register+unregister and replace alternating), ${round2(seconds)} s`);
  console.table({
    'calls made': counts.calls,
    'calls per second': Math.round(counts.calls / seconds),
    'calls that threw': counts.thrown,
    'disposed with calls in flight': counts.disposedBusy,
    'calls reaching a disposed provider': counts.callsAfterDispose,
    'swaps whose next call missed the new provider': counts.misrouted,
    'swap p50 (us)': round2(percentile(swapUs, 50)),
    'swap p99 (us)': round2(percentile(swapUs, 99)),
    'drain-complete p50 (us)': round2(percentile(drainUs, 50)),
    'drain-complete p99 (us)': round2(percentile(drainUs, 99)),
  });
  console.log(
    JSON.stringify({
      bench: 'hotswap',
      calls: counts.calls,
      failed,
      swaps: SWAPS,
      swap_p50_us: round2(percentile(swapUs, 50)),
      swap_p99_us: round2(percentile(swapUs, 99)),
    }),
  );
  if (failed !== 0) process.exitCode = 1;
}

await main();
