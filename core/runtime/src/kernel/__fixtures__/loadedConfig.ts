import type { PluginDefinition } from '@plugboard/plugin-api';
import { serverConfigSchema } from '../../config/schema.js';
import type { LoadedConfig, LoadedPlugin } from '../loadConfig.js';

/** One plugin of a test config: its definition and the loader's keys that tests vary. */
export interface TestPlugin {
  def: PluginDefinition<any>;
  enabled?: boolean;
  config?: unknown;
  onFailure?: 'abort' | 'continue';
  startTimeoutMs?: number;
}

/**
 * A LoadedConfig made in memory, as `loadConfig` would return it for these plugins, so kernel
 * tests need neither files nor module resolution. A bare definition means enabled with defaults.
 */
export function loadedConfigOf(plugins: readonly (TestPlugin | PluginDefinition<any>)[]): LoadedConfig {
  const map = new Map<string, LoadedPlugin>();
  for (const entry of plugins) {
    const p: TestPlugin = 'def' in entry ? entry : { def: entry };
    map.set(p.def.name, {
      name: p.def.name,
      enabled: p.enabled ?? true,
      onFailure: p.onFailure ?? 'abort',
      ...(p.startTimeoutMs === undefined ? {} : { startTimeoutMs: p.startTimeoutMs }),
      definition: p.def,
      source: `test:${p.def.name}`,
      config: p.config ?? {},
    });
  }
  return {
    path: '/virtual/plugboard.yaml',
    projectRoot: '/virtual',
    // Parsed, so every server key has its default.
    server: serverConfigSchema.parse({ port: 0, bodyLimit: 1024 }),
    database: { embedded: { dataDir: '/virtual/pgdata' } },
    logging: { level: 'silent' },
    unresolved: [],
    kernel: { startTimeoutMs: 2000, stopTimeoutMs: 2000, drainTimeoutMs: 1000, watch: false, watchDebounceMs: 100 },
    plugins: map,
  };
}
