/**
 * @plugboard/core: Plugboard's runtime, the wiring that runs plugins: the kernel (service
 * registry, loader, lifecycle, tasks), the app host (HTTP, database, admin API) and the CLI.
 * Plugins do not import it: they import `@plugboard/plugin-api`. Embedding applications and
 * tools (the CLI, benchmarks, tests through `@plugboard/core/testing`) use this entry.
 *
 * @example
 * import { AppHost } from '@plugboard/core';
 * const host = await AppHost.start({ configPath: 'config/plugboard.yaml' });
 */
export { AppHost, type AppHostOptions } from './host/AppHost.js';
export { Kernel, type KernelOptions } from './kernel/Kernel.js';
export type { ChangeReport } from './kernel/types.js';
export { loadConfig, type LoadedConfig, type LoadedPlugin } from './kernel/loadConfig.js';
export { ServiceRegistry, type ServiceRegistryOptions } from './services/ServiceRegistry.js';
export { createDatabase, type CreateDatabaseOptions, type DatabaseHandle } from './database/createDatabase.js';
export { CORE_VERSION } from './version.js';
