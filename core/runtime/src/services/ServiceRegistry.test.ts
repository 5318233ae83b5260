import { type Logger, pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlugboardError } from '@plugboard/plugin-api';
import { ServiceRegistry } from './ServiceRegistry.js';
import { serviceRef } from '@plugboard/plugin-api';
import type { ServiceEvent } from '@plugboard/plugin-api';

interface Greeter {
  greet(name: string): string;
  readonly label?: string;
}
interface Worker {
  work(n: number): Promise<string>;
}

const greeterRef = serviceRef<Greeter>('test.greeter');
const workerRef = serviceRef<Worker>('test.worker');

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A real pino logger whose records are kept as parsed objects. */
function captureLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => records.push(JSON.parse(line)) });
  return { logger, records };
}

function greeter(label: string): Greeter {
  return { label, greet: (name) => `${label}:${name}` };
}

/** A worker whose calls wait for `gate` and report which provider ran them. */
function gatedWorker(label: string, gate: Promise<void>): Worker {
  return {
    async work(n) {
      await gate;
      return `${label}:${n}`;
    },
  };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('ServiceRegistry ranking', () => {
  it('sends calls to the highest ranking provider', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    registry.register(greeterRef, greeter('low'), { owner: 'a', ranking: 1 });
    registry.register(greeterRef, greeter('high'), { owner: 'b', ranking: 5 });
    registry.register(greeterRef, greeter('mid'), { owner: 'c', ranking: 3 });
    expect(registry.handle(greeterRef).greet('x')).toBe('high:x');
    expect(registry.list()[0]?.providers.map((p) => p.owner)).toEqual(['b', 'c', 'a']);
  });

  it('gives ties to the provider registered first', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    registry.register(greeterRef, greeter('first'), { owner: 'a', ranking: 2 });
    registry.register(greeterRef, greeter('second'), { owner: 'b', ranking: 2 });
    registry.register(greeterRef, greeter('default'), { owner: 'c' });
    expect(registry.handle(greeterRef).greet('x')).toBe('first:x');
    expect(registry.list()[0]?.providers.map((p) => p.owner)).toEqual(['a', 'b', 'c']);
  });

  it('falls back to the next provider when the best one leaves, and fails when none is left', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const low = registry.register(greeterRef, greeter('low'), { owner: 'a' });
    const high = registry.register(greeterRef, greeter('high'), { owner: 'b', ranking: 1 });
    const handle = registry.handle(greeterRef);
    expect(handle.greet('x')).toBe('high:x');
    const withdrawn = high.unregister();
    expect(handle.greet('x')).toBe('low:x');
    await withdrawn;
    await low.unregister();
    expect(registry.has(greeterRef)).toBe(false);
    expect(() => handle.greet('x')).toThrow(PlugboardError);
  });

  it('rejects a ranking that is not a finite number', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    expect(() => registry.register(greeterRef, greeter('x'), { owner: 'a', ranking: Number.NaN })).toThrow(
      "The provider of service 'test.greeter' registered by 'a' has ranking NaN; give a finite number.",
    );
  });
});

describe('ServiceRegistry live handles', () => {
  it('returns the same handle object for the same ref id', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const again = serviceRef<Greeter>('test.greeter');
    expect(registry.handle(greeterRef)).toBe(registry.handle(again));
    expect(registry.handle(greeterRef)).not.toBe(registry.handle(workerRef));
  });

  it('caches method wrappers and reads plain properties through to the current provider', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const handle = registry.handle(greeterRef);
    registry.register(greeterRef, greeter('one'), { owner: 'a' });
    expect(handle.greet).toBe(handle.greet);
    expect(handle.label).toBe('one');
    expect('greet' in handle).toBe(true);
    const greet = handle.greet;
    registry.register(greeterRef, greeter('two'), { owner: 'b', ranking: 1 });
    expect(handle.label).toBe('two');
    expect(greet('x')).toBe('two:x');
  });

  it('calls the method with this bound to the provider', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    class Counter {
      count = 0;
      greet(name: string): string {
        this.count += 1;
        return `${name}${this.count}`;
      }
    }
    const impl = new Counter();
    registry.register(greeterRef, impl, { owner: 'a' });
    const { greet } = registry.handle(greeterRef);
    expect(greet('n')).toBe('n1');
    expect(impl.count).toBe(1);
  });

  it('can be awaited without hanging, with or without a provider', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const handle = registry.handle(workerRef);
    // Awaiting a non-thenable is the point: a proxy that answered `then` would hang here.
    // eslint-disable-next-line @typescript-eslint/await-thenable
    expect(await handle).toBe(handle);
    registry.register(workerRef, gatedWorker('w', Promise.resolve()), { owner: 'a' });
    // eslint-disable-next-line @typescript-eslint/await-thenable
    expect(await handle).toBe(handle);
  });

  it('returns the provider promise itself, so rejections reach the caller unchanged', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const failure = new Error('boom');
    const promise = Promise.reject(failure);
    promise.catch(() => undefined);
    registry.register(workerRef, { work: () => promise }, { owner: 'a' });
    const result = registry.handle(workerRef).work(1);
    expect(result).toBe(promise);
    await expect(result).rejects.toBe(failure);
    await flush();
    expect(registry.list()[0]?.providers[0]?.inFlight).toBe(0);
  });

  it('counts a synchronous throw as a finished call', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    registry.register(
      greeterRef,
      {
        greet: () => {
          throw new Error('sync boom');
        },
      },
      { owner: 'a' },
    );
    expect(() => registry.handle(greeterRef).greet('x')).toThrow('sync boom');
    expect(registry.list()[0]?.providers[0]?.inFlight).toBe(0);
  });
});

describe('ServiceRegistry serviceUnavailable', () => {
  const writerRef = serviceRef<Worker>('conversations.writer');

  it('names the one plugin that declares the ref', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    registry.declare(writerRef, 'conversations');
    const error = (() => {
      try {
        void registry.handle(writerRef).work(1);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(PlugboardError.is(error, 'serviceUnavailable')).toBe(true);
    expect((error as Error).message).toBe(
      "No provider is registered for service 'conversations.writer'. It is provided by plugin 'conversations'; enable it under plugins.conversations in the config.",
    );
  });

  it('names every declaring plugin when there are several', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    registry.declare(writerRef, 'b');
    registry.declare(writerRef, 'a');
    expect(() => registry.handle(writerRef).work(1)).toThrow(
      "No provider is registered for service 'conversations.writer'. It is provided by plugins 'a' and 'b'; enable one of them under plugins.<name> in the config.",
    );
  });

  it('says no plugin provides it when none declares it', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const ref = serviceRef<Worker>('x.y');
    registry.declare(ref, 'gone');
    registry.undeclare('x.y', 'gone');
    expect(() => registry.handle(ref).work(1)).toThrow(
      "No provider is registered for service 'x.y', and no plugin declares it in 'provides'. Install and enable a plugin that provides it.",
    );
  });
});

describe('ServiceRegistry withdrawal and draining', () => {
  it('sends the next call to a new higher-ranked provider while a running call finishes on the old one', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const gate = deferred<void>();
    const oldDispose = vi.fn();
    const old = registry.register(workerRef, gatedWorker('old', gate.promise), { owner: 'a', dispose: oldDispose });
    const handle = registry.handle(workerRef);

    const running = handle.work(1);
    registry.register(workerRef, gatedWorker('new', Promise.resolve()), { owner: 'b', ranking: 1 });
    await expect(handle.work(2)).resolves.toBe('new:2');

    const withdrawn = old.unregister();
    expect(registry.list()[0]?.providers.map((p) => p.owner)).toEqual(['b']);
    await flush();
    expect(oldDispose).not.toHaveBeenCalled();

    gate.resolve();
    await expect(running).resolves.toBe('old:1');
    await withdrawn;
    expect(oldDispose).toHaveBeenCalledTimes(1);
  });

  it('disposes only after every in-flight async call has drained', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const gate = deferred<void>();
    const dispose = vi.fn();
    const reg = registry.register(workerRef, gatedWorker('w', gate.promise), { owner: 'a', dispose });
    const handle = registry.handle(workerRef);
    const calls = [handle.work(1), handle.work(2), handle.work(3)];
    expect(registry.list()[0]?.providers[0]?.inFlight).toBe(3);

    let withdrawnDone = false;
    const withdrawn = reg.unregister().then(() => {
      withdrawnDone = true;
    });
    await flush();
    expect(dispose).not.toHaveBeenCalled();
    expect(withdrawnDone).toBe(false);

    gate.resolve();
    expect(await Promise.all(calls)).toEqual(['w:1', 'w:2', 'w:3']);
    await withdrawn;
    expect(dispose).toHaveBeenCalledTimes(1);
  });

  it('waits for a synchronous call that withdraws its own provider to return before disposing', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const dispose = vi.fn();
    let withdrawn: Promise<void> | undefined;
    const reg = registry.register(
      greeterRef,
      {
        greet: (name: string) => {
          withdrawn = reg.unregister();
          expect(dispose).not.toHaveBeenCalled();
          return name;
        },
      },
      { owner: 'a', dispose },
    );
    expect(registry.handle(greeterRef).greet('x')).toBe('x');
    expect(dispose).not.toHaveBeenCalled();
    await withdrawn;
    expect(dispose).toHaveBeenCalledTimes(1);
  });

  it('disposes after the drain timeout and logs the calls still running', async () => {
    vi.useFakeTimers();
    const { logger, records } = captureLogger();
    const registry = new ServiceRegistry({ logger, drainTimeoutMs: 500 });
    const dispose = vi.fn();
    const reg = registry.register(workerRef, gatedWorker('stuck', new Promise<void>(() => undefined)), {
      owner: 'stuck-plugin',
      dispose,
    });
    void registry.handle(workerRef).work(1);
    void registry.handle(workerRef).work(2);
    const withdrawn = reg.unregister();

    await vi.advanceTimersByTimeAsync(499);
    expect(dispose).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await withdrawn;
    expect(dispose).toHaveBeenCalledTimes(1);
    const warn = records.find((r) => r.level === 40);
    expect(warn).toMatchObject({ refId: 'test.worker', owner: 'stuck-plugin', inFlight: 2 });
    expect(warn?.msg).toBe(
      "The withdrawn provider of service 'test.worker' registered by 'stuck-plugin' still has 2 call(s) running after 500 ms; disposing it anyway.",
    );
  });

  it('treats a second unregister as a no-op', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const dispose = vi.fn();
    const events: string[] = [];
    registry.on((e) => events.push(e.type));
    const reg = registry.register(greeterRef, greeter('a'), { owner: 'a', dispose });
    const first = reg.unregister();
    const second = reg.unregister();
    expect(second).toBe(first);
    await first;
    await reg.unregister();
    expect(dispose).toHaveBeenCalledTimes(1);
    expect(events).toEqual(['registered', 'replaced', 'unregistering', 'replaced']);
  });

  it('logs a dispose error instead of throwing it', async () => {
    const { logger, records } = captureLogger();
    const registry = new ServiceRegistry({ logger });
    const reg = registry.register(greeterRef, greeter('a'), {
      owner: 'a',
      dispose: () => Promise.reject(new Error('close failed')),
    });
    await expect(reg.unregister()).resolves.toBeUndefined();
    const error = records.find((r) => r.level === 50);
    expect(error?.msg).toBe(
      "Disposing the provider of service 'test.greeter' registered by 'a' failed; fix its dispose function.",
    );
    expect((error?.err as { message: string }).message).toBe('close failed');
  });
});

describe('ServiceRegistry replace', () => {
  it('sends new calls to the new impl in the same slot and drains then disposes the old one', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const gate = deferred<void>();
    const oldDispose = vi.fn();
    const newDispose = vi.fn();
    const reg = registry.register(workerRef, gatedWorker('old', gate.promise), {
      owner: 'a',
      ranking: 3,
      dispose: oldDispose,
    });
    registry.register(workerRef, gatedWorker('lower', Promise.resolve()), { owner: 'b', ranking: 1 });
    const handle = registry.handle(workerRef);
    const running = handle.work(1);

    const replaced = reg.replace(gatedWorker('new', Promise.resolve()), newDispose);
    await expect(handle.work(2)).resolves.toBe('new:2');
    expect(registry.list()[0]?.providers.map((p) => [p.owner, p.ranking])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    await flush();
    expect(oldDispose).not.toHaveBeenCalled();

    gate.resolve();
    await expect(running).resolves.toBe('old:1');
    await replaced;
    expect(oldDispose).toHaveBeenCalledTimes(1);

    await reg.unregister();
    expect(newDispose).toHaveBeenCalledTimes(1);
    await expect(reg.replace(gatedWorker('late', Promise.resolve()))).rejects.toThrow(
      "The provider of service 'test.worker' registered by 'a' was already withdrawn, so it cannot be replaced; register a new provider instead.",
    );
  });
});

describe('ServiceRegistry events', () => {
  it('emits registered, replaced and unregistering in order with provider infos', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const events: ServiceEvent[] = [];
    const off = registry.on((e) => events.push(e));
    const summary = () =>
      events.map((e) =>
        e.type === 'replaced'
          ? `replaced ${e.previous?.owner ?? '-'} -> ${e.current?.owner ?? '-'}`
          : `${e.type} ${e.provider.owner}`,
      );

    const a = registry.register(greeterRef, greeter('a'), { owner: 'a' });
    const b = registry.register(greeterRef, greeter('b'), { owner: 'b', ranking: 1 });
    const c = registry.register(greeterRef, greeter('c'), { owner: 'c', ranking: -1 });
    await b.replace(greeter('b2'));
    await b.unregister();
    await a.unregister();
    off();
    await c.unregister();

    expect(summary()).toEqual([
      'registered a',
      'replaced - -> a',
      'registered b',
      'replaced a -> b',
      'registered c',
      'unregistering b',
      'replaced b -> b',
      'unregistering b',
      'replaced b -> a',
      'unregistering a',
      'replaced a -> c',
    ]);
    expect(events.every((e) => e.refId === 'test.greeter')).toBe(true);
  });

  it('logs a throwing listener and keeps working', () => {
    const { logger, records } = captureLogger();
    const registry = new ServiceRegistry({ logger });
    const seen: string[] = [];
    registry.on(() => {
      throw new Error('listener bug');
    });
    registry.on((e) => seen.push(e.type));
    registry.register(greeterRef, greeter('a'), { owner: 'a' });
    expect(registry.handle(greeterRef).greet('x')).toBe('a:x');
    expect(seen).toEqual(['registered', 'replaced']);
    expect(records.filter((r) => r.level === 50).map((r) => r.msg)).toEqual([
      "A listener of service event 'registered' for service 'test.greeter' threw; the registry carries on.",
      "A listener of service event 'replaced' for service 'test.greeter' threw; the registry carries on.",
    ]);
  });

  it('lets a listener call through the handle and reach the new best provider', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const handle = registry.handle(greeterRef);
    const answers: string[] = [];
    registry.on((e) => {
      if (e.type === 'replaced' && e.current) answers.push(handle.greet('x'));
    });
    registry.register(greeterRef, greeter('a'), { owner: 'a' });
    registry.register(greeterRef, greeter('b'), { owner: 'b', ranking: 1 });
    expect(answers).toEqual(['a:x', 'b:x']);
  });
});

describe('ServiceRegistry list', () => {
  it('lists refs with providers or declarations, providers best first with in-flight counts', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const gate = deferred<void>();
    const described = serviceRef<Worker>('test.worker', { description: 'Does work' });
    registry.handle(serviceRef<Greeter>('test.unused'));
    registry.declare(described, 'workers');
    registry.declare(greeterRef, 'greeters');
    registry.register(described, gatedWorker('w', gate.promise), { owner: 'workers', ranking: 2 });
    registry.register(described, gatedWorker('v', Promise.resolve()), { owner: 'other' });
    const running = registry.handle(described).work(1);

    const list = registry.list();
    expect(list.map((s) => [s.id, s.description, s.declaredBy])).toEqual([
      ['test.greeter', undefined, ['greeters']],
      ['test.worker', 'Does work', ['workers']],
    ]);
    expect(list[1]?.providers.map((p) => [p.owner, p.ranking, p.inFlight])).toEqual([
      ['workers', 2, 1],
      ['other', 0, 0],
    ]);
    expect(list[1]?.providers[0]?.registeredAt).toBeInstanceOf(Date);
    gate.resolve();
    await running;
  });
});

describe('live handles and thenables that are not promises', () => {
  const builderRef = serviceRef<{ build(): unknown; run(): Promise<void> }>('test.builder');

  it('leaves a non-promise thenable alone: not run, counted as finished, and the provider drains', async () => {
    let executions = 0;
    let gate!: () => void;
    const registry = new ServiceRegistry({ logger: captureLogger().logger, drainTimeoutMs: 60_000 });
    let disposed = false;
    const registration = registry.register(
      builderRef,
      {
        // A lazy query builder: awaiting it runs the query; a `then` that calls back twice.
        build: () => ({
          then(resolve: (v: number) => void) {
            executions += 1;
            resolve(1);
            resolve(2);
          },
        }),
        run: () => new Promise<void>((resolve) => (gate = resolve)),
      },
      { owner: 'a', dispose: () => void (disposed = true) },
    );
    const handle = registry.handle(builderRef);
    handle.build();
    expect(executions).toBe(0);
    const running = handle.run();
    const withdrawn = registration.unregister();
    await new Promise((resolve) => setImmediate(resolve));
    expect(disposed).toBe(false);
    gate();
    await running;
    await withdrawn;
    expect(disposed).toBe(true);
  });

  it('prints a handle with no provider, and serialises it, without throwing', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const handle = registry.handle(builderRef);
    expect(String(handle)).toBe("[live handle of service 'test.builder', no provider]");
    expect(JSON.stringify({ handle })).toBe('{"handle":{}}');
  });
});

describe('ServiceRegistry replace below the best', () => {
  it('announces the new implementation of a provider ranked below the best as registered', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    registry.register(greeterRef, greeter('a'), { owner: 'a', ranking: 5 });
    const b = registry.register(greeterRef, greeter('b'), { owner: 'b' });
    const events: string[] = [];
    registry.on((e) => events.push(e.type === 'replaced' ? 'replaced' : `${e.type} ${e.provider.owner}`));
    await b.replace(greeter('b2'));
    expect(events).toEqual(['unregistering b', 'registered b']);
  });
});

describe('ServiceRegistry below (the provider under an owner’s own)', () => {
  /** A greeter that wraps what the provider below it answers, so a chain shows in the answer. */
  function decorator(label: string, below: Greeter): Greeter {
    return { label, greet: (name) => `${label}(${below.greet(name)})` };
  }

  it('goes to the best provider of another owner ranked below the owner’s own', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    registry.register(greeterRef, greeter('low'), { owner: 'low', ranking: -5 });
    registry.register(greeterRef, greeter('base'), { owner: 'base' });
    registry.register(greeterRef, greeter('top'), { owner: 'top', ranking: 30 });
    const below = registry.below(greeterRef, 'mid');
    registry.register(greeterRef, decorator('mid', below), { owner: 'mid', ranking: 10 });
    // 'top' outranks 'mid' and is skipped; 'base' is the best one below.
    expect(below.greet('x')).toBe('base:x');
    expect(registry.handle(greeterRef).greet('x')).toBe('top:x');
    expect(registry.below(greeterRef, 'mid')).toBe(below);
    expect(registry.below(greeterRef, 'other')).not.toBe(below);
  });

  it('runs a chain of decorators once each, top down, without looping back', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    registry.register(greeterRef, greeter('C'), { owner: 'c', ranking: 0 });
    registry.register(greeterRef, decorator('B', registry.below(greeterRef, 'b')), { owner: 'b', ranking: 10 });
    registry.register(greeterRef, decorator('A', registry.below(greeterRef, 'a')), { owner: 'a', ranking: 20 });
    expect(registry.handle(greeterRef).greet('x')).toBe('A(B(C:x))');
    // Registration order does not matter, only the ranking.
    const again = new ServiceRegistry({ logger: captureLogger().logger });
    again.register(greeterRef, decorator('A', again.below(greeterRef, 'a')), { owner: 'a', ranking: 20 });
    again.register(greeterRef, decorator('B', again.below(greeterRef, 'b')), { owner: 'b', ranking: 10 });
    again.register(greeterRef, greeter('C'), { owner: 'c', ranking: 0 });
    expect(again.handle(greeterRef).greet('x')).toBe('A(B(C:x))');
  });

  it('skips every provider of its own owner, and goes below the lowest of them', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const below = registry.below(greeterRef, 'a');
    registry.register(greeterRef, greeter('base'), { owner: 'base', ranking: 0 });
    registry.register(greeterRef, decorator('B', registry.below(greeterRef, 'b')), { owner: 'b', ranking: 10 });
    registry.register(greeterRef, decorator('A20', below), { owner: 'a', ranking: 20 });
    registry.register(greeterRef, decorator('A5', below), { owner: 'a', ranking: 5 });
    // Below 'a' is below its lowest provider (5): 'base'. 'b' at 10 goes on down to 'a' at 5,
    // and 'a' goes to 'base', never back up to 'b'.
    expect(below.greet('x')).toBe('base:x');
    expect(registry.handle(greeterRef).greet('x')).toBe('A20(base:x)');
    expect(registry.below(greeterRef, 'b').greet('x')).toBe('A5(base:x)');
  });

  it('follows registrations, replacements and withdrawals below it, as every handle does', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const below = registry.below(greeterRef, 'deco');
    registry.register(greeterRef, decorator('deco', below), { owner: 'deco', ranking: 10 });
    const base = registry.register(greeterRef, greeter('base'), { owner: 'base' });
    expect(below.greet('x')).toBe('base:x');
    expect(below.label).toBe('base');
    const { greet } = below;
    const middle = registry.register(greeterRef, greeter('middle'), { owner: 'middle', ranking: 5 });
    expect(greet('x')).toBe('middle:x');
    await middle.replace(greeter('middle2'));
    expect(greet('x')).toBe('middle2:x');
    await middle.unregister();
    expect(greet('x')).toBe('base:x');
    // A provider ranked above the owner changes nothing below it.
    registry.register(greeterRef, greeter('top'), { owner: 'top', ranking: 50 });
    expect(greet('x')).toBe('base:x');
    await base.unregister();
    expect('greet' in below).toBe(false);
    expect(String(below)).toBe("[live handle of the provider of service 'test.greeter' below plugin 'deco', none]");
  });

  it('counts calls through it as in flight on the provider below, which drains before it is disposed', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const gate = deferred<void>();
    let disposed = false;
    const base = registry.register(workerRef, gatedWorker('base', gate.promise), {
      owner: 'base',
      dispose: () => void (disposed = true),
    });
    registry.register(workerRef, gatedWorker('fallback', Promise.resolve()), { owner: 'fallback', ranking: -1 });
    const below = registry.below(workerRef, 'deco');
    const running = below.work(1);
    const withdrawn = base.unregister();
    await expect(below.work(2)).resolves.toBe('fallback:2');
    await flush();
    expect(disposed).toBe(false);
    gate.resolve();
    await expect(running).resolves.toBe('base:1');
    await withdrawn;
    expect(disposed).toBe(true);
  });

  it('keeps a withdrawn decorator’s draining calls going below where it stood, not back through the decorators above', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    registry.register(greeterRef, greeter('C'), { owner: 'c', ranking: 0 });
    const bBelow = registry.below(greeterRef, 'b');
    const b = registry.register(greeterRef, decorator('B', bBelow), { owner: 'b', ranking: 10 });
    registry.register(greeterRef, decorator('A', registry.below(greeterRef, 'a')), { owner: 'a', ranking: 20 });
    await b.unregister();
    expect(registry.handle(greeterRef).greet('x')).toBe('A(C:x)');
    // A call 'b' accepted before its withdrawal and still running goes to 'c', not to 'a' again.
    expect(bBelow.greet('x')).toBe('C:x');
  });

  it('throws serviceUnavailable naming the other plugins that provide the ref when nothing is below', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const writerRef = serviceRef<Worker>('conversations.writer');
    registry.declare(writerRef, 'audit');
    registry.declare(writerRef, 'conversations');
    registry.register(writerRef, gatedWorker('audit', Promise.resolve()), { owner: 'audit' });
    const error = (() => {
      try {
        void registry.below(writerRef, 'audit').work(1);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(PlugboardError.is(error, 'serviceUnavailable')).toBe(true);
    expect((error as Error).message).toBe(
      "No provider of service 'conversations.writer' is registered below those of plugin 'audit', so its call through ctx.next has nowhere to go. It is provided by plugin 'conversations'; enable it under plugins.conversations in the config.",
    );
    // A plugin already running is ranked above, so enabling it is no advice.
    registry.register(writerRef, gatedWorker('conversations', Promise.resolve()), { owner: 'conversations', ranking: 5 });
    expect(() => registry.below(writerRef, 'audit').work(1)).toThrow(
      "No provider of service 'conversations.writer' is registered below those of plugin 'audit', so its call through ctx.next has nowhere to go: plugin 'conversations' provides it ranked above. Install and enable a plugin that provides it at a lower ranking than 'audit'.",
    );
    const lone = new ServiceRegistry({ logger: captureLogger().logger });
    lone.declare(writerRef, 'audit');
    lone.register(writerRef, gatedWorker('audit', Promise.resolve()), { owner: 'audit' });
    expect(() => lone.below(writerRef, 'audit').work(1)).toThrow(
      "No provider of service 'conversations.writer' is registered below those of plugin 'audit', so its call through ctx.next has nowhere to go, and no other plugin declares it in 'provides'. Install and enable a plugin that provides it at a lower ranking than 'audit'.",
    );
  });
});

describe('live handles with method forwarders', () => {
  interface Shape {
    area(): number;
    name?: string | (() => string);
  }
  const shapeRef = serviceRef<Shape>('test.shape');

  it('calls the current provider’s methods through own forwarders of the handle, not through a proxy trap', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const handle = registry.handle(shapeRef);
    expect(Object.getOwnPropertyNames(handle)).toEqual([]);
    registry.register(shapeRef, { area: () => 1, name: 'square' }, { owner: 'a' });
    // Only methods: a value property is read through the proxy, from the provider of the moment.
    expect(Object.getOwnPropertyNames(handle)).toEqual(['area']);
    expect(Object.keys(handle)).toEqual([]);
    expect(handle.area()).toBe(1);
  });

  it('keeps the semantics of the proxy when the next provider lacks a method, or has a value of that name', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    const handle = registry.handle(shapeRef) as Shape & Record<string, unknown>;
    registry.register(shapeRef, { area: () => 1, name: () => 'square' }, { owner: 'a' });
    const area = handle.area;
    expect(typeof handle.name).toBe('function');
    expect('name' in handle).toBe(true);
    registry.register(shapeRef, { area: () => 2, name: 'circle' }, { owner: 'b', ranking: 1 });
    expect(handle.name).toBe('circle');
    expect(handle.area).toBe(area);
    expect(area()).toBe(2);
    registry.register(shapeRef, { area: () => 3 }, { owner: 'c', ranking: 2 });
    expect(handle.name).toBeUndefined();
    expect('name' in handle).toBe(false);
  });

  it('answers methods a class inherits, skips getters without running them, and sends assignments to the provider', () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    let getterRuns = 0;
    class Base {
      area(): number {
        return 4;
      }
    }
    class Square extends Base {
      side = 2;
      get name(): string {
        getterRuns += 1;
        return 'square';
      }
      perimeter(): number {
        return this.side * 4;
      }
    }
    const impl = new Square();
    registry.register(shapeRef, impl, { owner: 'a' });
    const handle = registry.handle(shapeRef) as Shape & { perimeter(): number; side: number };
    expect(getterRuns).toBe(0);
    expect(handle.area()).toBe(4);
    expect(handle.perimeter()).toBe(8);
    handle.side = 3;
    expect(impl.side).toBe(3);
    expect(handle.perimeter()).toBe(12);
    const replacement = () => 99;
    handle.perimeter = replacement;
    expect(impl.perimeter).toBe(replacement);
    expect(handle.perimeter()).toBe(99);
    expect(handle.name).toBe('square');
    expect(getterRuns).toBe(1);
  });

  it('goes back to the proxy answers when the last provider leaves, and forwards again when one comes', async () => {
    const registry = new ServiceRegistry({ logger: captureLogger().logger });
    registry.declare(shapeRef, 'shapes');
    const handle = registry.handle(shapeRef);
    const reg = registry.register(shapeRef, { area: () => 1 }, { owner: 'shapes' });
    const area = handle.area;
    expect(area()).toBe(1);
    await reg.unregister();
    expect('area' in handle).toBe(false);
    expect(handle.area).toBe(area);
    expect(() => handle.area()).toThrow(
      "No provider is registered for service 'test.shape'. It is provided by plugin 'shapes'; enable it under plugins.shapes in the config.",
    );
    // eslint-disable-next-line @typescript-eslint/await-thenable
    expect(await handle).toBe(handle);
    registry.register(shapeRef, { area: () => 5 }, { owner: 'shapes' });
    expect(handle.area()).toBe(5);
    expect(area()).toBe(5);
  });
});
