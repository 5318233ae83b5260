import { describe, expect, it } from 'vitest';
import { coreServices, definePlugin, PlugboardError, serviceRef } from '@plugboard/plugin-api';
import type { PluginContext, RuntimeInfo, ServiceEvent } from '@plugboard/plugin-api';
import { startTestKernel } from '../testing/startTestKernel.js';
import { createServerAccess } from './RuntimeView.js';

interface Greeter {
  greet(name: string): string;
}
const greeterRef = serviceRef<Greeter>('test.greeter');

const OFFERS =
  "it offers plugins(), services(), tasks(), onServiceEvent(listener), server() and authorizeAdmin(header). Enabling, disabling and reloading plugins is the operator's: through the admin API (POST /admin/plugins/<name>/enable, POST /admin/plugins/<name>/disable, POST /admin/config/reload) or by editing the config file.";
const noMember = (member: string) =>
  `Service 'core.runtime' is a read-only view and has no member '${member}'; ${OFFERS}`;

/** What `work` throws, as kind and message; a test fails when it throws nothing or something else. */
function attempt(work: () => unknown): { kind: string; message: string } {
  try {
    work();
  } catch (err) {
    if (PlugboardError.is(err)) return { kind: err.kind, message: err.message };
    return { kind: 'not a PlugboardError', message: String(err) };
  }
  return { kind: 'nothing thrown', message: '' };
}

/**
 * A plugin that, in its setup, tries everything a plugin must not do with `core.runtime`, and
 * records how each attempt ended. The other plugin, 'victim', provides `test.greeter`.
 */
function intruder(record: (ctx: PluginContext, runtime: RuntimeInfo) => void) {
  return definePlugin({
    name: 'intruder',
    version: '1.0.0',
    core: '^0.1.0',
    dependsOn: { victim: '^1.0.0' },
    setup(ctx) {
      record(ctx, ctx.get(coreServices.runtime));
    },
  });
}

const victim = definePlugin({
  name: 'victim',
  version: '1.0.0',
  core: '^0.1.0',
  provides: [greeterRef],
  setup(ctx) {
    ctx.provide(greeterRef, { greet: (name) => `victim:${name}` });
  },
});

type Loose = Record<string, any>;

describe('core.runtime as a plugin sees it', () => {
  it('refuses disable, reload and enable with an error that names the operator’s ways, and the plugins keep running', async () => {
    const attempts: Record<string, { kind: string; message: string }> = {};
    const app = await startTestKernel({
      plugins: [
        victim,
        intruder((_ctx, runtime) => {
          const loose = runtime as unknown as Loose;
          attempts.disable = attempt(() => loose.disable('victim'));
          attempts.reload = attempt(() => loose.reload());
          attempts.enable = attempt(() => loose.enable('victim'));
          attempts.stop = attempt(() => loose.stop());
        }),
      ],
    });
    try {
      expect(attempts).toEqual({
        disable: { kind: 'invalidArgument', message: noMember('disable') },
        reload: { kind: 'invalidArgument', message: noMember('reload') },
        enable: { kind: 'invalidArgument', message: noMember('enable') },
        stop: { kind: 'invalidArgument', message: noMember('stop') },
      });
      expect(app.kernel.plugins().map((p) => [p.name, p.state])).toEqual([
        ['victim', 'started'],
        ['intruder', 'started'],
      ]);
    } finally {
      await app.stop();
    }
  });

  it('has no registry, scheduler or config to reach, cannot be written to, and nothing it returns can register a provider', async () => {
    const attempts: Record<string, { kind: string; message: string }> = {};
    const reachable: string[] = [];
    const app = await startTestKernel({
      plugins: [
        victim,
        intruder((ctx, runtime) => {
          const loose = runtime as unknown as Loose;
          attempts.registry = attempt(() =>
            loose.registry.register(greeterRef, { greet: () => 'hijacked' }, { owner: 'victim', ranking: 100 }),
          );
          attempts.scheduler = attempt(() => loose.scheduler.forPlugin('victim'));
          attempts.config = attempt(() => loose.config.plugins);
          attempts.set = attempt(() => {
            loose.plugins = () => [];
          });
          // Everything reachable from what the view returns: plain data, and one unsubscribe function.
          const events: ServiceEvent[] = [];
          const off = runtime.onServiceEvent((e) => events.push(e));
          ctx.onStop(off);
          collectFunctions('plugins()', runtime.plugins(), reachable);
          collectFunctions('services()', runtime.services(), reachable);
          collectFunctions('tasks()', runtime.tasks(), reachable);
          collectFunctions('onServiceEvent()', off, reachable);
          ctx.onStop(() => collectFunctions('events', events, reachable));
        }),
      ],
    });
    try {
      expect(attempts).toEqual({
        registry: { kind: 'invalidArgument', message: noMember('registry') },
        scheduler: { kind: 'invalidArgument', message: noMember('scheduler') },
        config: { kind: 'invalidArgument', message: noMember('config') },
        set: {
          kind: 'invalidArgument',
          message: `Service 'core.runtime' is a read-only view, so 'plugins' cannot be set or removed on it; ${OFFERS}`,
        },
      });
      // Calls still reach the victim's own provider: nothing was registered under its name.
      expect(app.get(greeterRef).greet('x')).toBe('victim:x');
      expect(app.kernel.registry.list().find((s) => s.id === 'test.greeter')?.providers.map((p) => p.owner)).toEqual([
        'victim',
      ]);
    } finally {
      await app.stop();
    }
    expect(reachable).toEqual(['onServiceEvent()']);
    // Nothing the intruder did outlives it or its victim.
    expect(app.kernel.registry.has(greeterRef)).toBe(false);
  });

  it('answers plugins, services, tasks and events, and reads as absent when awaited, serialized or printed', async () => {
    let runtime: RuntimeInfo | undefined;
    const app = await startTestKernel({
      plugins: [
        victim,
        intruder((_ctx, r) => {
          runtime = r;
        }),
      ],
    });
    try {
      const view = runtime!;
      expect(view.plugins().map((p) => p.name)).toEqual(['victim', 'intruder']);
      expect(view.services().map((s) => s.id)).toEqual(['core.clock', 'core.runtime', 'test.greeter']);
      expect(view.tasks()).toEqual([]);
      const events: string[] = [];
      const off = view.onServiceEvent((e) => events.push(`${e.type} ${e.refId}`));
      app.provide(greeterRef, { greet: () => 'test' }, { ranking: 1 });
      off();
      expect(events).toEqual(['registered test.greeter', 'replaced test.greeter']);
      expect(await Promise.resolve(view)).toBe(view);
      expect(JSON.stringify(view)).toBe('{}');
      expect(String(view)).toBe('[core.runtime: read-only view of plugins, services, tasks, registry events and the server address]');
      expect('disable' in view).toBe(false);
      expect('plugins' in view).toBe(true);
    } finally {
      await app.stop();
    }
  });
});

/** Adds to `found` the path of every function reachable from `value` through own properties. */
function collectFunctions(path: string, value: unknown, found: string[], seen = new Set<unknown>()): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
  seen.add(value);
  if (typeof value === 'function') found.push(path);
  if (value instanceof Date) return;
  for (const key of Reflect.ownKeys(value)) {
    if (typeof value === 'function' && (key === 'prototype' || key === 'length' || key === 'name')) continue;
    collectFunctions(`${path}.${String(key)}`, (value as Record<PropertyKey, unknown>)[key], found, seen);
  }
}

describe('core.runtime server() and authorizeAdmin()', () => {
  const TOKEN = 'a-test-admin-token-0123456789';

  it('says where the server listens and checks a bearer header against the token', () => {
    const access = createServerAccess({ token: TOKEN, address: () => ({ host: '0.0.0.0', port: 8080 }) });
    expect(access.server()).toEqual({ host: '0.0.0.0', port: 8080, adminEnabled: true });
    expect(access.authorizeAdmin(`Bearer ${TOKEN}`, 'a')).toBe('ok');
    expect(access.authorizeAdmin(`bearer   ${TOKEN} `, 'a')).toBe('ok');
    expect(access.authorizeAdmin(undefined, 'a')).toBe('missing');
    expect(access.authorizeAdmin(`Basic ${TOKEN}`, 'a')).toBe('missing');
    expect(access.authorizeAdmin(`Bearer ${TOKEN}x`, 'a')).toBe('wrong');
    expect(access.authorizeAdmin('Bearer short', 'a')).toBe('wrong');
  });

  it("answers 'off' when no token is configured, whatever the header", () => {
    for (const token of [undefined, '']) {
      const access = createServerAccess({ token });
      expect(access.server()).toEqual({ host: '127.0.0.1', port: 0, adminEnabled: false });
      expect(access.authorizeAdmin(`Bearer ${TOKEN}`)).toBe('off');
      expect(access.authorizeAdmin(undefined)).toBe('off');
    }
  });

  it("throttles an address after maxFailures within the window, even with the right token, then lets it try again", () => {
    let now = 0;
    const access = createServerAccess({ token: TOKEN, maxFailures: 3, failureWindowMs: 1000, now: () => now });
    expect(access.authorizeAdmin('Bearer nope-nope-nope-nope', 'x')).toBe('wrong');
    // Requests offering no token (page loads) are not guesses and never throttle.
    for (let i = 0; i < 10; i++) expect(access.authorizeAdmin(undefined, 'x')).toBe('missing');
    expect(access.authorizeAdmin('Bearer nope-nope-nope-nope', 'x')).toBe('wrong');
    expect(access.authorizeAdmin(`Bearer ${TOKEN}`, 'x')).toBe('ok');
    expect(access.authorizeAdmin('Bearer nope-nope-nope-nope', 'x')).toBe('wrong');
    expect(access.authorizeAdmin('Bearer nope-nope-nope-nope', 'x')).toBe('wrong');
    expect(access.authorizeAdmin('Bearer nope-nope-nope-nope', 'x')).toBe('wrong');
    expect(access.authorizeAdmin(`Bearer ${TOKEN}`, 'x')).toBe('throttled');
    // Another address is not affected.
    expect(access.authorizeAdmin(`Bearer ${TOKEN}`, 'y')).toBe('ok');
    now = 1000;
    expect(access.authorizeAdmin(`Bearer ${TOKEN}`, 'x')).toBe('ok');
  });

  it('a kernel answers its config: host, port and whether the admin API is on', async () => {
    let runtime: RuntimeInfo | undefined;
    const app = await startTestKernel({
      plugins: [
        victim,
        intruder((_ctx, r) => {
          runtime = r;
        }),
      ],
    });
    try {
      expect(runtime!.server()).toEqual({ host: '127.0.0.1', port: 3000, adminEnabled: false });
      expect(runtime!.authorizeAdmin(`Bearer ${TOKEN}`)).toBe('off');
      app.kernel.listeningAt({ host: '0.0.0.0', port: 4321 });
      expect(runtime!.server()).toEqual({ host: '0.0.0.0', port: 4321, adminEnabled: false });
    } finally {
      await app.stop();
    }
  });
});
