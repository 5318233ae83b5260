/** plugboard-example-quotas: the plugin, and the ref and interface other plugins use. */
export { default, quotasRef, type Quotas } from './plugin.js';
