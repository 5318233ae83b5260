/** The plugin's version, as in its package.json; also the version of its instrumentation scopes. */
export const PLUGIN_VERSION = '0.1.0';
