/** The types of vitest.js: a vitest config object, for `defineConfig`/`mergeConfig` or as is. */
import type { ViteUserConfig } from 'vitest/config';

export declare const plugboardVitestConfig: ViteUserConfig;
export default plugboardVitestConfig;
