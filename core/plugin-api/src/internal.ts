/**
 * @plugboard/plugin-api/internal: the parts of the API package that the runtime (`@plugboard/core`)
 * builds on and plugins have no use for. Not covered by semver; plugins import the main entry.
 */
export { quoteList } from './errors/PlugboardError.js';
export { CORE_SERVICE_IDS } from './services/coreServices.js';
export type { ServiceRegistryApi } from './services/types.js';
export { PLUGIN_BRAND, RESERVED_PLUGIN_KEYS } from './plugin/definePlugin.js';
export { fieldPath, validate, type FieldIssue, type RequestPart } from './http/validate.js';
export { ALREADY_SENT, answerStatus, requestHeader, sentThroughNode } from './http/nodeHandler.js';
export { pluginCallState, startPluginCall, type PluginCallState } from './http/requestContext.js';
export { MAX_DURATION_MS } from './util/duration.js';
export { telemetryState, type Rebindable, type TelemetryState } from './telemetry/state.js';
