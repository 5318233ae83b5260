/** The dashboard plugin. */
export {};
