import { describe, expect, it } from 'vitest';
import { definePlugin, serviceRef } from '@plugboard/plugin-api';
import { plugboardErrorOf } from '../testing/errors.js';
import { startTestKernel } from '../testing/startTestKernel.js';

interface Greeter {
  greet(name: string): string;
}
const greeterRef = serviceRef<Greeter>('test.greeter');

const base = definePlugin({
  name: 'base',
  version: '1.0.0',
  core: '^0.1.0',
  provides: [greeterRef],
  setup(ctx) {
    ctx.provide(greeterRef, { greet: (name) => `base:${name}` });
  },
});

/** A plugin that decorates `test.greeter` at `ranking`, delegating through ctx.next. */
function decorator(name: string, ranking: number) {
  return definePlugin({
    name,
    version: '1.0.0',
    core: '^0.1.0',
    provides: [greeterRef],
    setup(ctx) {
      const below = ctx.next(greeterRef);
      ctx.provide(greeterRef, { greet: (who) => `${name}(${below.greet(who)})` }, { ranking });
    },
  });
}

describe('ctx.next', () => {
  it('lets stacked decorator plugins each delegate to the one below, and follows enable and disable', async () => {
    const app = await startTestKernel({ plugins: [base, decorator('outer', 20), decorator('inner', 10)] });
    try {
      const greeter = app.get(greeterRef);
      expect(greeter.greet('x')).toBe('outer(inner(base:x))');
      await app.kernel.disable('inner');
      expect(greeter.greet('x')).toBe('outer(base:x)');
      await app.kernel.enable('inner');
      expect(greeter.greet('x')).toBe('outer(inner(base:x))');
      await app.kernel.disable('base');
      expect(() => greeter.greet('x')).toThrow(
        "No provider of service 'test.greeter' is registered below those of plugin 'inner', so its call through ctx.next has nowhere to go. It is provided by plugin 'base'; enable it under plugins.base in the config.",
      );
    } finally {
      await app.stop();
    }
  });

  it('refuses a ref the plugin does not provide, saying to declare it', async () => {
    const consumer = definePlugin({
      name: 'consumer',
      version: '1.0.0',
      core: '^0.1.0',
      consumes: [greeterRef],
      setup(ctx) {
        ctx.next(greeterRef);
      },
    });
    const error = await plugboardErrorOf(startTestKernel({ plugins: [base, consumer] }));
    expect(error.kind).toBe('pluginStartFailed');
    expect(error.message).toBe(
      "Plugin 'consumer' failed to start: Plugin 'consumer' asked for the provider below its own of service 'test.greeter', which it does not provide. Add it to 'provides' in the plugin's definePlugin({...}) to decorate it, or use ctx.get for a service it only consumes.",
    );
    expect((error.cause as { kind?: string }).kind).toBe('serviceUndeclared');
  });
});
