/**
 * @plugboard/core: the plugin API. Plugins import from here only.
 */
export { PlugboardError, type PlugboardErrorKind } from './errors/PlugboardError.js';
export { serviceRef, type ServiceRef, type ServiceType } from './services/ServiceRef.js';
export type {
  ProviderInfo,
  ProviderOptions,
  ProviderRegistration,
  ServiceEvent,
  ServiceEventListener,
  ServiceInfo,
} from './services/types.js';
export { coreServices } from './services/coreServices.js';
export type { DatabaseService } from './database/DatabaseService.js';
export { definePlugin, isPluginDefinition } from './plugin/definePlugin.js';
export type {
  FailurePolicy,
  MigrationParams,
  PluginContext,
  PluginDefinition,
  PluginMigration,
  PluginState,
  ProvideOptions,
} from './plugin/types.js';
export type { Duration, PluginTasks, TaskHandle, TaskOptions, TaskOutcome, TaskStatus } from './tasks/types.js';
export type { ChangeReport, PluginInfo, RuntimeInfo } from './kernel/types.js';
