/** Public API of the plugin; other packages import only from here. */
export {};
