import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PlugboardError } from '../errors/PlugboardError.js';
import { definePlugin, isPluginDefinition } from './definePlugin.js';
import type { PluginDefinition } from './types.js';

/** A definition with every field valid; each case below breaks one (or several). */
const valid = { name: 'greeter', version: '1.0.0', core: '^0.1.0', setup() {} };

/** What definePlugin throws for `definition`, which is deliberately not a valid one. */
function problemOf(definition: unknown): PlugboardError {
  try {
    definePlugin(definition as PluginDefinition);
  } catch (err) {
    if (PlugboardError.is(err)) return err;
    throw err;
  }
  throw new Error('definePlugin accepted an invalid definition.');
}

const migration = (name: string) => ({ name, up: async () => undefined });

describe('definePlugin', () => {
  it('returns a frozen, branded copy of a valid definition', () => {
    const plugin = definePlugin({ ...valid, config: z.object({ greeting: z.string() }), dependsOn: { metrics: '>=1.2.0 <2' } });
    expect(isPluginDefinition(plugin)).toBe(true);
    expect(isPluginDefinition({ ...valid })).toBe(false);
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(plugin.name).toBe('greeter');
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a bad name',
      { name: 'Greeter_1' },
      `Plugin 'Greeter_1' is not valid: 'name' must be lower-case letters, digits and dashes, starting with a letter (got "Greeter_1").`,
    ],
    [
      'no name',
      { name: undefined },
      `Plugin '(unnamed)' is not valid: 'name' must be lower-case letters, digits and dashes, starting with a letter (got undefined).`,
    ],
    ['a bad version', { version: '1.0' }, `Plugin 'greeter' is not valid: 'version' must be a semver version such as '1.0.0' (got "1.0").`],
    ['a bad core range', { core: 'latest' }, `Plugin 'greeter' is not valid: 'core' must be a semver range such as '^0.1.0' (got "latest").`],
    [
      'a bad dependsOn range',
      { dependsOn: { metrics: 'one' } },
      `Plugin 'greeter' is not valid: 'dependsOn.metrics' must be a semver range (got "one").`,
    ],
    ['no setup', { setup: 'run' }, `Plugin 'greeter' is not valid: 'setup' must be a function.`],
    ['a config that is not zod', { config: { greeting: 'string' } }, `Plugin 'greeter' is not valid: 'config' must be a zod schema.`],
    [
      'reserved config keys',
      { config: z.object({ enabled: z.boolean(), from: z.string(), greeting: z.string() }) },
      `Plugin 'greeter' is not valid: config keys 'enabled', 'from' are reserved for the loader; rename them.`,
    ],
    [
      'a migration listed twice',
      { migrations: [migration('001-users'), migration('002-index'), migration('001-users')] },
      `Plugin 'greeter' is not valid: migration '001-users' is listed twice.`,
    ],
  ])('refuses %s with pluginInvalid, word for word', (_what, change, message) => {
    const err = problemOf({ ...valid, ...change });
    expect(err.kind).toBe('pluginInvalid');
    expect(err.message).toBe(message);
  });

  it('accepts one- and two-word command names and refuses others, and a name listed twice', () => {
    const command = (name: string) => ({ name, description: 'd', run: async () => undefined });
    expect(() => definePlugin({ ...valid, commands: [command('seed'), command('db report'), command('db whatif')] })).not.toThrow();
    const err = problemOf({ ...valid, commands: [command('db report now'), command('Seed'), command('db report'), command('db report')] });
    expect(err.message).toContain(`command name "db report now" must be one or two words`);
    expect(err.message).toContain(`command name "Seed" must be`);
    expect(err.message).toContain(`command 'db report' is listed twice`);
  });

  it('refuses something that is not an object', () => {
    expect(problemOf(null).message).toBe(`Plugin '(unnamed)' is not valid: definePlugin() needs an object.`);
  });

  it('lists several problems at once, in one message and in details', () => {
    const err = problemOf({ name: 'two', version: 'x', core: '^0.1.0', dependsOn: { a: '??' }, setup: undefined, config: 42 });
    const problems = [
      `'version' must be a semver version such as '1.0.0' (got "x")`,
      `'dependsOn.a' must be a semver range (got "??")`,
      `'setup' must be a function`,
      `'config' must be a zod schema`,
    ];
    expect(err.message).toBe(`Plugin 'two' is not valid: ${problems.join('; ')}.`);
    expect(err.details).toEqual({ plugin: 'two', problems });
  });
});
