import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,plugins,dashboard,examples}/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
