import { PassThrough } from 'node:stream';
import { context, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import { createLogger } from './createLogger.js';

/** A synchronous stack of contexts: enough to make a span active for a synchronous log call. */
class StackManager implements ContextManager {
  #stack: Context[] = [];
  active(): Context {
    return this.#stack.at(-1) ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.#stack.push(ctx);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#stack.pop();
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#stack = [];
    return this;
  }
}

afterEach(() => context.disable());

it('a line logged while a span is active carries its trace_id, span_id and trace_flags; others carry none', async () => {
  context.setGlobalContextManager(new StackManager());
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const logger = createLogger('info', { PLUGBOARD_LOG_FORMAT: 'json' }, out).child({ plugin: 'p' });
  const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
  context.with(trace.setSpan(ROOT_CONTEXT, span), () => logger.info('inside'));
  logger.info('outside');
  await new Promise((r) => setImmediate(r));
  const [inside, outside] = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(inside).toMatchObject({ msg: 'inside', plugin: 'p', trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', trace_flags: '01' });
  expect(outside).not.toHaveProperty('trace_id');
  expect(outside).not.toHaveProperty('span_id');
});
