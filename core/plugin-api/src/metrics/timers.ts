/**
 * The metrics collector API: time work into a seconds histogram by name, with no instrument to
 * set up. `startTimer` for a span of code (with `using`, or `.end()`), `time` for async work,
 * `@timed` for a method. Every duration goes to the histogram of its name on the scope
 * `plugboard.collector`, made once per name; a call that throws adds `error.type` (the error's
 * name). While no MeterProvider is installed nothing reads the clock.
 */
import { durationHistogram, type TimerAttributes } from './durationHistogram.js';

/** A running timer. Ending it twice records once. */
export interface Timer<A extends TimerAttributes = TimerAttributes> extends Disposable {
  /**
   * Records the time since the timer started, with its attributes and `more`; returns the
   * seconds recorded (0 when nothing records, or when it already ended).
   */
  end(more?: Partial<A> & TimerAttributes): number;
}

const STOPPED: Timer<never> = { end: () => 0, [Symbol.dispose]: () => {} };

/**
 * Starts timing into the histogram `name`: ends at `.end()` or, with `using`, where its block ends.
 *
 * @example
 * {
 *   using timer = startTimer('plugboard.reply.duration', { 'gen_ai.request.model': model });
 *   reply = await model.reply(messages);
 * } // recorded here
 *
 * const t = startTimer('plugboard.import.duration');
 * await importAll();
 * t.end({ 'plugboard.rows': 'many' });
 */
export function startTimer<A extends TimerAttributes = TimerAttributes>(name: string, attributes?: A): Timer<A> {
  const histogram = durationHistogram(name);
  if (!histogram.recording) return STOPPED as Timer<A>;
  return new RunningTimer<A>(histogram, attributes);
}

/**
 * A class rather than an object of closures: tsx compiles with esbuild's `keepNames`, which
 * names every named function as it is made (about 0.25 µs each), and a timer is made per call.
 */
class RunningTimer<A extends TimerAttributes> implements Timer<A> {
  readonly #started = performance.now();
  #ended = false;

  constructor(
    private readonly histogram: ReturnType<typeof durationHistogram>,
    private readonly attributes: A | undefined,
  ) {}

  end(more?: Partial<A> & TimerAttributes): number {
    if (this.#ended) return 0;
    this.#ended = true;
    const seconds = (performance.now() - this.#started) / 1000;
    this.histogram.record(seconds, more === undefined ? this.attributes : { ...this.attributes, ...more });
    return seconds;
  }

  [Symbol.dispose](): void {
    this.end();
  }
}

/**
 * Runs `fn` and records how long it took into the histogram `name`, also when it throws (with
 * `error.type`); returns what `fn` returns.
 *
 * @example
 * const rows = await time('plugboard.report.duration', () => buildReport(range), { 'plugboard.report': 'daily' });
 */
export async function time<T, A extends TimerAttributes = TimerAttributes>(name: string, fn: () => Promise<T> | T, attributes?: A): Promise<T> {
  const timer: Timer = startTimer(name, attributes);
  try {
    const result = await fn();
    timer.end();
    return result;
  } catch (err) {
    timer.end({ 'error.type': errorType(err) });
    throw err;
  }
}

/**
 * A method decorator (`experimentalDecorators`): each call is timed into the histogram `name`,
 * until the promise it returns settles for an async method. The histogram is made when the
 * class is defined, so a bad name fails at load rather than at the first call.
 *
 * @example
 * class Replier {
 *   @timed('plugboard.reply.duration', { 'plugboard.replier': 'default' })
 *   async reply(messages: Message[]): Promise<string> { ... }
 * }
 */
export function timed(name: string, attributes?: TimerAttributes): MethodDecorator {
  durationHistogram(name);
  return (_target, _key, descriptor) => {
    const original = descriptor.value as unknown;
    if (typeof original !== 'function') throw new TypeError(`@timed('${name}') decorates methods only.`);
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const timer = startTimer(name, attributes);
      let result: unknown;
      try {
        result = (original as (...a: unknown[]) => unknown).apply(this, args);
      } catch (err) {
        timer.end({ 'error.type': errorType(err) });
        throw err;
      }
      if (result instanceof Promise) {
        return result.then(
          (value: unknown) => {
            timer.end();
            return value;
          },
          (err: unknown) => {
            timer.end({ 'error.type': errorType(err) });
            throw err;
          },
        );
      }
      timer.end();
      return result;
    };
    (descriptor as PropertyDescriptor).value = wrapped;
    return descriptor;
  };
}

function errorType(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
