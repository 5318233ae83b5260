/** Public API of the plugin; other packages import only from here. */
export { default } from './plugin.js';
export * from './contract.js';
export { prometheusNameOf, prometheusLabelOf } from './prometheus/prometheusName.js';
export type { MetricsConfig } from './config.js';
