import type { Hono } from 'hono';

export interface RequestCounter {
  /** Resolves once no request is in the app, or after `timeoutMs`, with the number still in it. */
  idle(timeoutMs: number): Promise<number>;
}

/**
 * Counts the requests a plugin's app is handling, so a restart can let the old instance's
 * requests finish before its stop hooks run: they may use what setup made outside the registry.
 * Installed before setup, so the middleware comes first and sees every request the app gets.
 *
 * @example
 * const requests = countRequests(runtime.http);
 * await requests.idle(10_000);
 */
export function countRequests(app: Hono): RequestCounter {
  let inFlight = 0;
  const waiting = new Set<() => void>();
  app.use('*', async (_c, next) => {
    // Counted until the handler returns its Response, not until a streamed body ends: the body is
    // written by the server after this middleware returned, and nothing here sees its end. So a
    // long stream (server-sent events) outlives the drain, and goes on after the old instance's
    // stop hooks ran; such a route should end its stream when ctx.signal aborts.
    inFlight += 1;
    try {
      await next();
    } finally {
      inFlight -= 1;
      if (inFlight === 0) for (const wake of [...waiting]) wake();
    }
  });
  return {
    idle: (timeoutMs) => {
      if (inFlight === 0) return Promise.resolve(0);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve(inFlight);
        };
        const timer = setTimeout(done, timeoutMs);
        waiting.add(done);
      });
    },
  };
}
