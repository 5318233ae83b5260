// Lint that catches real bugs rather than taste: promises nobody awaits, promises handed to
// callbacks that ignore them, `await` on non-promises, value imports used only as types (which
// verbatimModuleSyntax would keep at runtime), unused code, and `==`. TypeScript files are linted
// with type information from their package's tsconfig (projectService). `any` is left to review
// (tests stub with it, and contracts such as `ServiceRef<any>[]` need it); the no-unsafe-* family
// is not enabled for the same reason.
import tseslint from 'typescript-eslint';

const TS_FILES = ['{core,plugins,dashboard,examples,bench,scripts}/**/*.{ts,mts,cts}', '*.{ts,mts}'];
const JS_FILES = ['**/*.{js,mjs,cjs}'];

/** Rules that need no type information, for every file. */
const baseRules = {
  eqeqeq: ['error', 'always', { null: 'ignore' }],
  'no-console': 'error',
  'no-debugger': 'error',
  'no-unused-vars': 'off',
  '@typescript-eslint/no-unused-vars': [
    'error',
    { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
  ],
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.plugboard/**',
      '**/coverage/**',
      'config/schema.json',
    ],
  },
  {
    files: [...TS_FILES, ...JS_FILES],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2023,
      sourceType: 'module',
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: baseRules,
  },
  {
    files: TS_FILES,
    languageOptions: {
      parserOptions: {
        // Files outside every tsconfig (root config files, scripts' tests) use a default project.
        projectService: { allowDefaultProject: ['*.ts', 'scripts/*.ts', 'scripts/*.mts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    // The conversations domain throws ConversationsError; only its routes speak HTTP
    // (routes/domainErrors.ts maps the kinds to statuses and codes).
    files: ['plugins/conversations/src/**/*.ts'],
    ignores: ['plugins/conversations/src/routes/**', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@plugboard/plugin-api', importNames: ['ApiError'], message: 'Throw ConversationsError; the routes map it to HTTP.' }],
          patterns: [{ group: ['hono', 'hono/*'], message: 'HTTP belongs in routes/.' }],
        },
      ],
    },
  },
  {
    // The CLI, benchmarks and scripts talk to a terminal.
    files: ['core/runtime/src/cli/**', 'core/runtime/bin/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
