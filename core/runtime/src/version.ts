import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version of @plugboard/core, checked against each plugin's `core` range. */
export const CORE_VERSION: string = (require('../package.json') as { version: string }).version;
