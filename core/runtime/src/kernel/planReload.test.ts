import { describe, expect, it } from 'vitest';
import { definePlugin } from '@plugboard/plugin-api';
import type { LoadedConfig } from './loadConfig.js';
import { loadedConfigOf, type TestPlugin } from './__fixtures__/loadedConfig.js';
import { planReload } from './planReload.js';

const def = (name: string, version = '1.0.0') => definePlugin({ name, version, core: '^0.1.0', setup() {} });
const a = def('a');
const b = def('b');
const c = def('c');

function configOf(plugins: TestPlugin[], change: (config: LoadedConfig) => void = () => undefined): LoadedConfig {
  const config = loadedConfigOf(plugins);
  change(config);
  return config;
}

describe('planReload', () => {
  it('plans nothing for the same config', () => {
    const config = configOf([{ def: a }, { def: b, enabled: false }]);
    expect(planReload(config, configOf([{ def: a }, { def: b, enabled: false }]), new Set(['a']))).toEqual({
      enabled: ['a'],
      stop: [],
      start: [],
      restart: [],
      needsRestart: [],
    });
  });

  it('stops what the new config disables or drops, starts what it enables, restarts changed sections', () => {
    const current = configOf([{ def: a, config: { n: 1 } }, { def: b }, { def: c, enabled: false }]);
    const next = configOf([{ def: a, config: { n: 2 } }, { def: c }]);
    expect(planReload(current, next, new Set(['a', 'b']))).toEqual({
      enabled: ['a', 'c'],
      stop: ['b'],
      start: ['c'],
      restart: ['a'],
      needsRestart: [],
    });
  });

  it('starts again a plugin the file enables that was disabled at runtime (the file is the truth)', () => {
    const config = configOf([{ def: a }, { def: b }]);
    expect(planReload(config, configOf([{ def: a }, { def: b }]), new Set(['a'])).start).toEqual(['b']);
  });

  it.each<[string, TestPlugin, TestPlugin]>([
    ['its version', { def: a }, { def: def('a', '1.1.0') }],
    ['its failure policy', { def: a }, { def: a, onFailure: 'continue' }],
    ['its start timeout', { def: a }, { def: a, startTimeoutMs: 5000 }],
    ['its own keys, deep inside', { def: a, config: { cache: { max: 1 } } }, { def: a, config: { cache: { max: 2 } } }],
  ])('restarts a running plugin when %s changed', (_what, before, after) => {
    expect(planReload(configOf([before]), configOf([after]), new Set(['a'])).restart).toEqual(['a']);
  });

  it('restarts a running plugin loaded from elsewhere', () => {
    const current = configOf([{ def: a }]);
    const next = configOf([{ def: a }], (config) => {
      config.plugins.set('a', { ...config.plugins.get('a')!, source: '/elsewhere/a' });
    });
    expect(planReload(current, next, new Set(['a'])).restart).toEqual(['a']);
  });

  it('does not restart a plugin that is not running: it starts it', () => {
    const plan = planReload(configOf([{ def: a, config: { n: 1 } }]), configOf([{ def: a, config: { n: 2 } }]), new Set());
    expect(plan).toMatchObject({ start: ['a'], restart: [] });
  });

  it('names the changed keys outside plugins, which apply on the next process start', () => {
    const current = configOf([{ def: a }]);
    const next = configOf([{ def: a }], (config) => {
      config.server = { ...config.server, port: 8080, adminToken: 'new' };
      config.logging = { level: 'debug' };
      config.kernel = { ...config.kernel, drainTimeoutMs: 5 };
    });
    expect(planReload(current, next, new Set(['a'])).needsRestart).toEqual([
      'server.port',
      'server.adminToken',
      'logging.level',
      'kernel.drainTimeoutMs',
    ]);
  });
});
