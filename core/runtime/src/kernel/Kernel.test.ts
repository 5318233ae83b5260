import pino from 'pino';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { PlugboardError } from '@plugboard/plugin-api';
import { definePlugin } from '@plugboard/plugin-api';
import type { PluginDefinition, TaskHandle } from '@plugboard/plugin-api';
import { serviceRef } from '@plugboard/plugin-api';
import { Kernel } from './Kernel.js';
import { createHttpApp } from '../http/createHttpApp.js';
import { loadedConfigOf } from './__fixtures__/loadedConfig.js';

const logger = pino({ level: 'silent' });

interface Greeter {
  greet(name: string): Promise<string>;
}
const greeterRef = serviceRef<Greeter>('test.greeter');


/** Records lifecycle events of every plugin in one list, in the order they happen. */
function recorder() {
  const events: string[] = [];
  const plugin = (name: string, extra: Partial<PluginDefinition<any>> = {}) =>
    definePlugin({
      name,
      version: '1.0.0',
      core: '^0.1.0',
      ...extra,
      async setup(ctx) {
        events.push(`start ${name}`);
        ctx.onStop(() => {
          events.push(`stop ${name}`);
        });
        await extra.setup?.(ctx);
      },
    });
  return { events, plugin };
}

describe('Kernel', () => {
  test('starts plugins in dependency order and stops them in reverse', async () => {
    const { events, plugin } = recorder();
    const a = plugin('a');
    const b = plugin('b', { dependsOn: { a: '^1.0.0' } });
    const c = plugin('c', { dependsOn: { b: '^1.0.0' } });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: c }, { def: b }, { def: a }]), logger });
    await kernel.start();
    expect(kernel.ready()).toBe(true);
    expect(kernel.plugins().map((p) => [p.name, p.state])).toEqual([
      ['c', 'started'],
      ['b', 'started'],
      ['a', 'started'],
    ]);
    await kernel.stop();
    expect(events).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  test('a consumer reaches the provider through a live handle and the provider is withdrawn on stop', async () => {
    const { plugin } = recorder();
    const provider = plugin('provider', {
      provides: [greeterRef],
      setup(ctx) {
        ctx.provide(greeterRef, { greet: async (n: string) => `hello ${n}` });
      },
    });
    let handle: Greeter | undefined;
    const consumer = plugin('consumer', {
      consumes: [greeterRef],
      setup(ctx) {
        handle = ctx.get(greeterRef);
      },
    });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: consumer }, { def: provider }]), logger });
    await kernel.start();
    await expect(handle!.greet('ann')).resolves.toBe('hello ann');
    await kernel.disable('provider', { cascade: true });
    expect(kernel.registry.has(greeterRef)).toBe(false);
  });

  test('disabling a plugin others depend on is refused with their names, unless cascading', async () => {
    const { events, plugin } = recorder();
    const base = plugin('base', { provides: [greeterRef], setup: (ctx) => void ctx.provide(greeterRef, { greet: async () => 'hi' }) });
    const user1 = plugin('user1', { consumes: [greeterRef] });
    const user2 = plugin('user2', { dependsOn: { user1: '*' } });
    const other = plugin('other');
    const kernel = new Kernel({ config: loadedConfigOf([{ def: base }, { def: user1 }, { def: user2 }, { def: other }]), logger });
    await kernel.start();
    const refused = await kernel.disable('base').catch((e: unknown) => e);
    expect(PlugboardError.is(refused, 'invalidState')).toBe(true);
    expect((refused as Error).message).toBe(
      "Plugin 'base' cannot be disabled while 'user2' and 'user1' depend on it. Disable them first, or disable with cascade to stop them too.",
    );
    expect(kernel.plugins().every((p) => p.state === 'started')).toBe(true);

    events.length = 0;
    const report = await kernel.disable('base', { cascade: true });
    expect(report.stopped).toEqual(['user2', 'user1', 'base']);
    expect(events).toEqual(['stop user2', 'stop user1', 'stop base']);
    expect(kernel.plugins().map((p) => [p.name, p.state])).toEqual([
      ['base', 'disabled'],
      ['user1', 'disabled'],
      ['user2', 'disabled'],
      ['other', 'started'],
    ]);
    expect(kernel.ready()).toBe(true);

    const enabled = await kernel.enable('base');
    expect(enabled.started).toEqual(['base']);
    const dependentFirst = await kernel.enable('user2').catch((e: unknown) => e);
    expect(PlugboardError.is(dependentFirst, 'missingDependency')).toBe(true);
    await kernel.enable('user1');
    await kernel.enable('user2');
    expect(kernel.plugins().every((p) => p.state === 'started')).toBe(true);
    await kernel.stop();
  });

  test('a failing abort plugin stops what had started and start() throws', async () => {
    const { events, plugin } = recorder();
    const good = plugin('good');
    const bad = plugin('bad', {
      dependsOn: { good: '*' },
      setup() {
        throw new Error('no credentials');
      },
    });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: good }, { def: bad }]), logger });
    const err = await kernel.start().catch((e: unknown) => e);
    expect(PlugboardError.is(err, 'pluginStartFailed')).toBe(true);
    expect((err as Error).message).toBe("Plugin 'bad' failed to start: no credentials");
    expect(events).toEqual(['start good', 'start bad', 'stop bad', 'stop good']);
    expect(kernel.plugins().find((p) => p.name === 'bad')?.state).toBe('failed');
  });

  test('a failing continue plugin is skipped with its dependents and the rest starts', async () => {
    const { plugin } = recorder();
    const flaky = plugin('flaky', {
      setup() {
        throw new Error('boom');
      },
    });
    const needsFlaky = plugin('needs-flaky', { dependsOn: { flaky: '*' } });
    const fine = plugin('fine');
    const kernel = new Kernel({
      config: loadedConfigOf([
        { def: flaky, onFailure: 'continue' },
        { def: needsFlaky, onFailure: 'continue' },
        { def: fine },
      ]),
      logger,
    });
    await kernel.start();
    const states = Object.fromEntries(kernel.plugins().map((p) => [p.name, [p.state, p.error]]));
    expect(states).toEqual({
      flaky: ['failed', "Plugin 'flaky' failed to start: boom"],
      'needs-flaky': [
        'failed',
        "Plugin 'needs-flaky' was not started because plugin 'flaky', which it needs (dependsOn '*'), is not running.",
      ],
      fine: ['started', undefined],
    });
    expect(kernel.ready()).toBe(false);

    // A retry that fails again leaves it enabled and failed: the process stays not ready.
    const retry = await kernel.enable('flaky');
    expect(retry.failed).toEqual([{ plugin: 'flaky', error: "Plugin 'flaky' failed to start: boom" }]);
    expect(kernel.plugins().find((p) => p.name === 'flaky')).toMatchObject({ state: 'failed', enabled: true });
    expect(kernel.ready()).toBe(false);
    await kernel.stop();
  });

  test('a setup that hangs times out and its registrations are undone', async () => {
    const { events, plugin } = recorder();
    const slow = plugin('slow', {
      provides: [greeterRef],
      async setup(ctx) {
        ctx.provide(greeterRef, { greet: async () => 'x' });
        await new Promise(() => undefined);
      },
    });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: slow, startTimeoutMs: 50 }]), logger });
    const err = await kernel.start().catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      "Plugin 'slow' failed to start: Plugin 'slow' did not finish starting within 50 ms. Find what its setup waits for, or raise plugins.slow.startTimeout.",
    );
    expect(kernel.registry.has(greeterRef)).toBe(false);
    expect(events).toEqual(['start slow', 'stop slow']);
  });

  test('providing an undeclared ref is an error naming the fix', async () => {
    const { plugin } = recorder();
    const sneaky = plugin('sneaky', {
      setup(ctx) {
        ctx.provide(greeterRef, { greet: async () => 'x' });
      },
    });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: sneaky }]), logger });
    await expect(kernel.start()).rejects.toThrow(
      "Plugin 'sneaky' failed to start: Plugin 'sneaky' provided service 'test.greeter' without declaring it. Add it to 'provides' in the plugin's definePlugin({...}).",
    );
  });

  test('reload restarts a plugin whose config changed, starts and stops others, and rejects a bad graph whole', async () => {
    const { events, plugin } = recorder();
    const schema = z.object({ word: z.string() });
    const configurable = plugin('configurable', { config: schema });
    const extra = plugin('extra');
    const dependent = plugin('dependent', { dependsOn: { extra: '*' } });
    const first = loadedConfigOf([
      { def: configurable, config: { word: 'a' } },
      { def: extra, enabled: false },
      { def: dependent, enabled: false },
    ]);
    const kernel = new Kernel({ config: first, logger });
    await kernel.start();
    events.length = 0;

    const second = loadedConfigOf([{ def: configurable, config: { word: 'b' } }, { def: extra }, { def: dependent, enabled: false }]);
    const report = await kernel.reload(second);
    expect(report).toEqual({ started: ['extra'], stopped: [], restarted: ['configurable'], failed: [] });
    // Make before break: the new instance starts before the old one stops.
    expect(events).toEqual(['start configurable', 'stop configurable', 'start extra']);

    events.length = 0;
    const broken = loadedConfigOf([{ def: configurable, config: { word: 'b' } }, { def: extra, enabled: false }, { def: dependent }]);
    const err = await kernel.reload(broken).catch((e: unknown) => e);
    expect(PlugboardError.is(err, 'missingDependency')).toBe(true);
    expect(events).toEqual([]);
    expect(kernel.plugins().map((p) => [p.name, p.state])).toEqual([
      ['configurable', 'started'],
      ['extra', 'started'],
      ['dependent', 'disabled'],
    ]);
    await kernel.stop();
  });

  /** A greeter whose every start is numbered: its provider, route and task say which start they belong to. */
  function numberedGreeter(events: string[]) {
    let starts = 0;
    return definePlugin({
      name: 'greeter',
      version: '1.0.0',
      core: '^0.1.0',
      provides: [greeterRef],
      config: z.object({ word: z.string() }),
      setup(ctx) {
        const me = ++starts;
        const { word } = ctx.config;
        if (word === 'boom') throw new Error(`The word 'boom' is not a greeting.`);
        events.push(`start #${me}`);
        ctx.provide(greeterRef, { greet: async (n: string) => `${word} ${n} from #${me}` });
        ctx.http.get('/word', (c) => c.text(`${word} from #${me}`));
        ctx.tasks.schedule({ name: 'tick', every: '1h', runOnStart: true, run: () => void events.push(`tick #${me}`) });
        ctx.onStop(() => void events.push(`stop #${me}`));
      },
    });
  }

  async function until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Calls the greeter through its live handle and its route, without pause, until stopped. */
  function callConstantly(kernel: Kernel) {
    const greeter = kernel.registry.handle(greeterRef);
    const answers: string[] = [];
    const failures: string[] = [];
    let running = true;
    const done = (async () => {
      while (running) {
        try {
          answers.push(await greeter.greet('ann'));
        } catch (err) {
          failures.push((err as Error).message);
        }
        const route = kernel.routes().find((r) => r.plugin === 'greeter');
        if (route === undefined) failures.push('no route of greeter');
        else answers.push(await (await route.app.request('/word')).text());
        // Lets timers run between calls, as requests arriving over a socket would.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    return { answers, failures, stop: async () => ((running = false), await done) };
  }

  test('a restart is make-before-break: calls and routes move to the new instance with none failing, tasks never overlap', async () => {
    const events: string[] = [];
    const greeter = numberedGreeter(events);
    const kernel = new Kernel({ config: loadedConfigOf([{ def: greeter, config: { word: 'hello' } }]), logger });
    await kernel.start();
    await until(() => events.includes('tick #1'));
    const calls = callConstantly(kernel);
    const report = await kernel.reload(loadedConfigOf([{ def: greeter, config: { word: 'hi' } }]));
    await until(() => events.includes('tick #2'));
    await calls.stop();

    expect(report).toEqual({ started: [], stopped: [], restarted: ['greeter'], failed: [] });
    expect(calls.failures).toEqual([]);
    expect(calls.answers).toContain('hello ann from #1');
    expect(calls.answers.at(-2)).toBe('hi ann from #2');
    expect(calls.answers.at(-1)).toBe('hi from #2');
    // The old instance stops only once the new one runs; the new one's task starts after that.
    expect(events).toEqual(['start #1', 'tick #1', 'start #2', 'stop #1', 'tick #2']);
    expect(kernel.tasks().map((t) => [t.id, t.runs])).toEqual([['greeter.tick', 1]]);
    expect(kernel.services().find((s) => s.id === greeterRef.id)?.providers.map((p) => p.owner)).toEqual(['greeter']);
    await kernel.stop();
    expect(events.at(-1)).toBe('stop #2');
  });

  test("a restart lets the old instance's requests in flight finish before its stop hooks run", async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let starts = 0;
    const slow = definePlugin({
      name: 'slow',
      version: '1.0.0',
      core: '^0.1.0',
      config: z.object({ n: z.number() }),
      setup(ctx) {
        const me = ++starts;
        events.push(`start #${me}`);
        ctx.http.get('/slow', async (c) => {
          events.push(`request on #${me}`);
          await gate;
          events.push(`answer from #${me}`);
          return c.text('done');
        });
        ctx.onStop(() => void events.push(`stop #${me}`));
      },
    });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: slow, config: { n: 1 } }]), logger });
    await kernel.start();
    // Through the host app, as requests come: its dispatcher counts them in flight.
    const response = createHttpApp({ kernel, logger, bodyLimit: 1024 }).request('/slow');
    await until(() => events.includes('request on #1'));
    const reload = kernel.reload(loadedConfigOf([{ def: slow, config: { n: 2 } }]));
    await until(() => events.includes('start #2'));
    // Time for a stop that does not wait to happen.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events).toEqual(['start #1', 'request on #1', 'start #2']);
    release();
    expect(await (await response).text()).toBe('done');
    expect((await reload).restarted).toEqual(['slow']);
    expect(events).toEqual(['start #1', 'request on #1', 'start #2', 'answer from #1', 'stop #1']);
    await kernel.stop();
  });

  test("a restart whose old instance's stop hook overruns the stop timeout still moves the tasks to the new instance", async () => {
    let release!: () => void;
    const stuckHook = new Promise<void>((resolve) => (release = resolve));
    const runs: string[] = [];
    const handles: TaskHandle[] = [];
    let starts = 0;
    const ticking = definePlugin({
      name: 'p',
      version: '1.0.0',
      core: '^0.1.0',
      config: z.object({ v: z.number() }),
      setup(ctx) {
        const me = ++starts;
        handles.push(ctx.tasks.schedule({ name: 'tick', every: '1h', run: () => void runs.push(`#${me}`) }));
        ctx.onStop(() => (me === 1 ? stuckHook : undefined));
      },
    });
    const later = definePlugin({ name: 'later', version: '1.0.0', core: '^0.1.0', setup: () => undefined });
    const config = (v: number, laterEnabled: boolean) => {
      const c = loadedConfigOf([{ def: ticking, config: { v } }, { def: later, enabled: laterEnabled }]);
      return { ...c, kernel: { ...c.kernel, stopTimeoutMs: 50 } };
    };
    const kernel = new Kernel({ config: config(1, false), logger });
    await kernel.start();
    const report = await kernel.reload(config(2, true));
    expect(report).toEqual({
      started: ['later'],
      stopped: [],
      restarted: ['p'],
      failed: [{ plugin: 'p', error: "Plugin 'p' did not finish stopping within 50 ms. Find the stop hook that hangs, or raise plugins.p.stopTimeout." }],
    });
    await expect(handles[0]!.runNow()).rejects.toThrow("Task 'p.tick' was cancelled and cannot run; schedule it again to run it.");
    expect(kernel.tasks().map((t) => [t.id, t.runs])).toEqual([['p.tick', 0]]);
    await handles[1]!.runNow();
    expect(runs).toEqual(['#2']);
    expect(kernel.plugins().map((p) => [p.name, p.state])).toEqual([['p', 'started'], ['later', 'started']]);
    release();
    await kernel.stop();
    expect(kernel.tasks()).toEqual([]);
  });

  test('when the new instance fails to start, the old one keeps serving and the reload reports why', async () => {
    const events: string[] = [];
    const greeter = numberedGreeter(events);
    const kernel = new Kernel({ config: loadedConfigOf([{ def: greeter, config: { word: 'hello' } }]), logger });
    await kernel.start();
    await until(() => events.includes('tick #1'));
    const calls = callConstantly(kernel);
    const report = await kernel.reload(loadedConfigOf([{ def: greeter, config: { word: 'boom' } }]));
    await calls.stop();

    expect(report).toEqual({
      started: [],
      stopped: [],
      restarted: [],
      failed: [
        {
          plugin: 'greeter',
          error: "Plugin 'greeter' failed to start: The word 'boom' is not a greeting. Plugin 'greeter' keeps running with its previous config.",
        },
      ],
    });
    expect(calls.failures).toEqual([]);
    expect(new Set(calls.answers)).toEqual(new Set(['hello ann from #1', 'hello from #1']));
    expect(kernel.plugins().map((p) => [p.name, p.state])).toEqual([['greeter', 'started']]);
    expect(kernel.config.plugins.get('greeter')?.config).toEqual({ word: 'hello' });
    expect(kernel.tasks().map((t) => [t.id, t.runs])).toEqual([['greeter.tick', 1]]);
    // The same file again is tried again: the running section is still the previous one.
    const again = await kernel.reload(loadedConfigOf([{ def: greeter, config: { word: 'boom' } }]));
    expect(again.failed.map((f) => f.plugin)).toEqual(['greeter']);
    expect(events).toEqual(['start #1', 'tick #1']);
    await kernel.stop();
  });

  test('enable with cascade starts again, in order, what a cascade disable stopped, and nothing else', async () => {
    const { events, plugin } = recorder();
    const db = plugin('db');
    const api = plugin('api', { dependsOn: { db: '*' } });
    const dash = plugin('dash', { dependsOn: { api: '*' } });
    const side = plugin('side', { dependsOn: { db: '*' } });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: dash }, { def: api }, { def: side }, { def: db }]), logger });
    await kernel.start();
    // Disabled by itself first: not one the cascade below stops, so not one enable brings back.
    await kernel.disable('side');
    expect(await kernel.disable('db', { cascade: true })).toEqual({ started: [], stopped: ['dash', 'api', 'db'], restarted: [], failed: [] });
    events.length = 0;

    expect(await kernel.enable('db')).toEqual({ started: ['db'], stopped: [], restarted: [], failed: [] });
    expect(await kernel.enable('db', { cascade: true })).toEqual({ started: ['api', 'dash'], stopped: [], restarted: [], failed: [] });
    expect(events).toEqual(['start db', 'start api', 'start dash']);
    expect(kernel.plugins().map((p) => [p.name, p.state])).toEqual([
      ['dash', 'started'],
      ['api', 'started'],
      ['side', 'disabled'],
      ['db', 'started'],
    ]);
    // Remembered once: a second cascade enable has nothing left to start.
    expect(await kernel.enable('db', { cascade: true })).toEqual({ started: [], stopped: [], restarted: [], failed: [] });

    // In one call, from stopped; a plugin disabled by itself after the cascade stays off.
    await kernel.disable('db', { cascade: true });
    await kernel.disable('dash');
    expect(await kernel.enable('db', { cascade: true })).toEqual({ started: ['db', 'api'], stopped: [], restarted: [], failed: [] });
    await kernel.stop();
  });

  test('enable and disable of an unknown plugin name the config file', async () => {
    const kernel = new Kernel({ config: { ...loadedConfigOf([]), unresolved: ['broken'] }, logger });
    await kernel.start();
    await expect(kernel.enable('ghost')).rejects.toThrow(
      "There is no plugin 'ghost' in config file '/virtual/plugboard.yaml'. Add it under plugins.ghost (with enabled: false to keep it off until enabled), then reload the config.",
    );
    await expect(kernel.disable('ghost')).rejects.toThrow("There is no plugin 'ghost'");
    await expect(kernel.enable('broken')).rejects.toThrow(
      "Plugin 'broken' is in config file '/virtual/plugboard.yaml' but could not be loaded (not found, not a plugin, or not for this core). Run 'plugboard config check' with plugins.broken.enabled: true to see why.",
    );
  });

  test('routes() lists started plugins only, in start order', async () => {
    const { plugin } = recorder();
    const a = plugin('a', { setup: (ctx) => void ctx.http.get('/a', (c) => c.text('a')) });
    const b = plugin('b', { dependsOn: { a: '*' } });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: b }, { def: a }]), logger });
    await kernel.start();
    expect(kernel.routes().map((r) => r.plugin)).toEqual(['a', 'b']);
    await kernel.disable('b');
    expect(kernel.routes().map((r) => r.plugin)).toEqual(['a']);
    const res = await kernel.routes()[0]!.app.request('/a');
    expect(await res.text()).toBe('a');
    await kernel.stop();
    expect(kernel.routes()).toEqual([]);
  });

  test('independent plugins start concurrently', async () => {
    // Each setup waits until the other has begun: started one after the other, both would time out.
    let arrive!: () => void;
    const bothArrived = new Promise<void>((resolve) => {
      let count = 0;
      arrive = () => {
        count += 1;
        if (count === 2) resolve();
      };
    });
    const meet = (name: string) =>
      definePlugin({
        name,
        version: '1.0.0',
        core: '^0.1.0',
        async setup() {
          arrive();
          await bothArrived;
        },
      });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: meet('left'), startTimeoutMs: 1000 }, { def: meet('right'), startTimeoutMs: 1000 }]), logger });
    await kernel.start();
    expect(kernel.ready()).toBe(true);
    await kernel.stop();
  });

  test('a stop hook that hangs is cut off by the stop timeout and the plugin still counts as stopped', async () => {
    const stuck = definePlugin({
      name: 'stuck',
      version: '1.0.0',
      core: '^0.1.0',
      setup(ctx) {
        ctx.onStop(() => new Promise(() => undefined));
      },
    });
    const config = loadedConfigOf([{ def: stuck }]);
    const kernel = new Kernel({ config: { ...config, kernel: { ...config.kernel, stopTimeoutMs: 50 } }, logger });
    await kernel.start();
    const report = await kernel.disable('stuck');
    expect(report.failed).toEqual([
      {
        plugin: 'stuck',
        error: "Plugin 'stuck' did not finish stopping within 50 ms. Find the stop hook that hangs, or raise plugins.stuck.stopTimeout.",
      },
    ]);
    expect(kernel.plugins()[0]?.state).toBe('disabled');
  });

  test('tasks scheduled by a plugin stop with it', async () => {
    const ticking = definePlugin({
      name: 'ticking',
      version: '1.0.0',
      core: '^0.1.0',
      setup(ctx) {
        ctx.tasks.schedule({ name: 'tick', every: '1h', run: () => undefined });
      },
    });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: ticking }]), logger });
    await kernel.start();
    expect(kernel.tasks().map((t) => t.id)).toEqual(['ticking.tick']);
    await kernel.disable('ticking');
    expect(kernel.tasks()).toEqual([]);
  });

  test('reload starts a plugin newly added to the file, and rejects one whose dependency is missing', async () => {
    const { events, plugin } = recorder();
    const a = plugin('a');
    const b = plugin('b', { dependsOn: { a: '*' } });
    const orphan = plugin('orphan', { dependsOn: { ghost: '*' } });
    const kernel = new Kernel({ config: loadedConfigOf([a]), logger });
    await kernel.start();

    const added = await kernel.reload(loadedConfigOf([a, b]));
    expect(added).toEqual({ started: ['b'], stopped: [], restarted: [], failed: [] });
    expect(kernel.ready()).toBe(true);
    expect(kernel.plugins().map((p) => [p.name, p.state])).toEqual([
      ['a', 'started'],
      ['b', 'started'],
    ]);

    events.length = 0;
    const rejected = await kernel.reload(loadedConfigOf([a, b, orphan])).catch((e: unknown) => e);
    expect(PlugboardError.is(rejected, 'missingDependency')).toBe(true);
    expect(events).toEqual([]);
    expect(kernel.plugins().map((p) => p.name)).toEqual(['a', 'b']);
    await kernel.stop();
  });

  test('a setup that outlives its timeout cannot leave a provider behind', async () => {
    let lateProvide!: () => void;
    let lateError: unknown;
    const slow = definePlugin({
      name: 'slow',
      version: '1.0.0',
      core: '^0.1.0',
      provides: [greeterRef],
      async setup(ctx) {
        await new Promise<void>((resolve) => (lateProvide = resolve));
        try {
          ctx.provide(greeterRef, { greet: async () => 'zombie' });
        } catch (err) {
          lateError = err;
        }
      },
    });
    const kernel = new Kernel({ config: loadedConfigOf([{ def: slow, startTimeoutMs: 20 }]), logger });
    await expect(kernel.start()).rejects.toThrow("Plugin 'slow' did not finish starting within 20 ms.");
    lateProvide();
    await new Promise((resolve) => setImmediate(resolve));
    expect(kernel.registry.has(greeterRef)).toBe(false);
    expect((lateError as Error).message).toBe(
      "Plugin 'slow' tried to provide service 'test.greeter' while failed. Register everything in setup, and check ctx.signal in async work.",
    );
  });

  test('disabling one of two providers of a ref leaves its consumers running on the other', async () => {
    const { plugin } = recorder();
    const base = plugin('base', { provides: [greeterRef], setup: (ctx) => void ctx.provide(greeterRef, { greet: async () => 'direct' }) });
    const better = plugin('better', {
      provides: [greeterRef],
      dependsOn: { base: '*' },
      setup: (ctx) => void ctx.provide(greeterRef, { greet: async () => 'better' }, { ranking: 10 }),
    });
    let handle: Greeter | undefined;
    const consumer = plugin('consumer', { consumes: [greeterRef], setup: (ctx) => void (handle = ctx.get(greeterRef)) });
    const kernel = new Kernel({ config: loadedConfigOf([base, better, consumer]), logger });
    await kernel.start();
    await expect(handle!.greet('x')).resolves.toBe('better');

    const report = await kernel.disable('better');
    expect(report.stopped).toEqual(['better']);
    await expect(handle!.greet('x')).resolves.toBe('direct');
    expect(kernel.plugins().find((p) => p.name === 'consumer')?.state).toBe('started');
    await kernel.stop();
  });

  test('a reload that changes keys only a restart applies says so in its report', async () => {
    // With a plugin: a config that enables none is refused (Kernel.reload.test.ts).
    const first = loadedConfigOf([recorder().plugin('a')]);
    const kernel = new Kernel({ config: first, logger });
    await kernel.start();
    const report = await kernel.reload({ ...first, server: { ...first.server, port: 8080 } });
    expect(report).toEqual({ started: [], stopped: [], restarted: [], failed: [], needsRestart: ['server.port'] });
    await kernel.stop();
  });
});
