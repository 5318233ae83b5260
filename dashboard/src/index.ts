/** The dashboard plugin: `/dashboard` with its stream, assets and JSON endpoints. */
export { default, CSP } from './plugin.js';
export { dashboardConfigSchema, type DashboardConfig } from './config.js';
export type { DashboardState, PluginRow, ServiceRow, SwapRow, TaskRow, TraceRow } from './state.js';
export { isLoopback } from './access.js';
