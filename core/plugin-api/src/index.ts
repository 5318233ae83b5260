/**
 * @plugboard/plugin-api: everything a plugin imports. A plugin depends on this package only; the
 * runtime that loads and runs plugins (kernel, app host, database, CLI) is `@plugboard/core`, and
 * a plugin never imports it (`npm run cycles` fails when one does).
 *
 * @example
 * import { definePlugin, serviceRef } from '@plugboard/plugin-api';
 */
export { PlugboardError, type PlugboardErrorKind, type PlugboardErrorOptions } from './errors/PlugboardError.js';
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
export type { DatabaseService } from './services/DatabaseService.js';
export { systemClock, type Clock, type ClockTimer } from './services/Clock.js';
export type { PluginInfo, RuntimeInfo } from './services/RuntimeInfo.js';
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
export { contextTokens } from './di/contextTokens.js';
export { inject, injectable } from './di/inject.js';
export { ApiError, type ErrorBody } from './http/ApiError.js';
export { parseJsonBody, parseParams, parseQuery } from './http/validate.js';
export { durationSchema, isDuration, parseDuration } from './util/duration.js';
export { nodeHandler, type NodeRequestHandler } from './http/nodeHandler.js';
export { requestIdOf } from './http/requestContext.js';
// The switch a telemetry plugin throws; every plugin's ctx.meter and ctx.tracer follow it.
export { installMeterProvider, installTracerProvider } from './telemetry/providers.js';
// The metrics collector API: @timed, time() and startTimer() record seconds histograms by name.
export { COLLECTOR_SCOPE, startTimer, time, timed, type Timer, type TimerAttributes } from './metrics/index.js';
