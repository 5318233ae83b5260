/**
 * @plugboard/core/testing/vitest: a vitest config for a plugin's own tests, in a folder of its
 * own. Plain JavaScript (not TypeScript like the rest of core) because vitest loads its config
 * file with Node itself, before any TypeScript loader runs.
 *
 * What it sets, and why:
 * - `oxc.decorator.legacy`: inversify's `@injectable()`/`@inject()` are legacy (TypeScript
 *   `experimentalDecorators`) decorators; without this a file using them fails with
 *   "Decorators are not valid here" unless a tsconfig beside it says `experimentalDecorators`.
 * - `test.server.deps.inline` for `@plugboard/*`: Plugboard's packages ship TypeScript sources
 *   (`"exports": "./src/index.ts"`), so vitest must transform them rather than hand them to Node.
 * - `include` `src/**` and `test/**` test files, and time limits fit for tests on a real database.
 *
 * @example
 * // vitest.config.ts
 * export { default } from '@plugboard/core/testing/vitest';
 *
 * @example
 * // vitest.config.ts, with settings of one's own
 * import { mergeConfig } from 'vitest/config';
 * import plugboard from '@plugboard/core/testing/vitest';
 * export default mergeConfig(plugboard, { test: { testTimeout: 60_000 } });
 */
export const plugboardVitestConfig = {
  oxc: { decorator: { legacy: true } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    server: { deps: { inline: [/@plugboard\//] } },
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
};

export default plugboardVitestConfig;
