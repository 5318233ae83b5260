/** Public API of the plugin; other packages import only from here. */
export { default } from './plugin.js';
export * from './contract.js';
export { contributeIndexes } from './contribute.js';
export { EIGHT_INDEXES, DeclarationRegistry } from './declarations.js';
export { configSchema, type DbIndexesConfig } from './config.js';
export { createIndexSql } from './ensure/ddl.js';
export { parseCreateIndex, WhatIfInputError } from './whatif/parse.js';
export type { WhatIfResult, WhatIfQuery, WhatIfPlan } from './whatif/whatIf.js';
