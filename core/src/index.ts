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
  CommandContext,
  FailurePolicy,
  PluginCommand,
  MigrationParams,
  PluginContext,
  PluginDefinition,
  PluginMigration,
  PluginState,
  ProvideOptions,
} from './plugin/types.js';
export type { Duration, PluginTasks, TaskHandle, TaskOptions, TaskOutcome, TaskStatus } from './tasks/types.js';
export type { ChangeReport, PluginInfo, RuntimeInfo } from './kernel/types.js';
export { contextTokens } from './di/contextTokens.js';
export { inject, injectable } from './di/inject.js';
export { ApiError, type ErrorBody } from './http/ApiError.js';
export { parseJsonBody, parseParams, parseQuery } from './http/validate.js';
export { durationSchema } from './config/schema.js';
export { isDuration, parseDuration } from './util/duration.js';
export { nodeHandler, type NodeRequestHandler } from './http/nodeHandler.js';
export { requestIdOf } from './http/requestContext.js';
// The switch a telemetry plugin throws; every plugin's ctx.meter and ctx.tracer follow it.
export { installMeterProvider, installTracerProvider } from './telemetry/providers.js';
