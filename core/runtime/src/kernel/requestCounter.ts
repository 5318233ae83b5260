/**
 * Counts the requests a plugin instance's app is handling, so a restart can let the old
 * instance's requests finish before its stop hooks run: they may use what setup made outside the
 * registry. The host's dispatcher, the only way requests reach a plugin app, calls `enter` before
 * it hands the app a request and `leave` once the app returned its Response.
 *
 * Counted until the app returns its Response, not until a streamed body ends: the body is written
 * by the server afterwards, and nothing here sees its end. So a long stream (server-sent events)
 * outlives the drain, and goes on after the old instance's stop hooks ran; such a route should
 * end its stream when ctx.signal aborts.
 *
 * @example
 * const requests = new RequestCounter();
 * kernel.routes(); // [{ plugin: 'catalog', app, requests }]
 * await requests.idle(10_000);
 */
export class RequestCounter {
  #inFlight = 0;
  readonly #waiting = new Set<() => void>();

  enter(): void {
    this.#inFlight += 1;
  }

  leave(): void {
    this.#inFlight -= 1;
    if (this.#inFlight === 0) for (const wake of [...this.#waiting]) wake();
  }

  /** Resolves once no request is in the app, or after `timeoutMs`, with the number still in it. */
  idle(timeoutMs: number): Promise<number> {
    if (this.#inFlight === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        resolve(this.#inFlight);
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiting.add(done);
    });
  }
}
