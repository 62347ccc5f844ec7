// Type-checked linting: floating promises are errors because an un-awaited Kafka emit or DB call
// loses its failure silently.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import layerBoundaries from './tools/eslint/layer-boundaries.cjs';

const publicEntryPoints = [
  { group: ['@storage/*/*'], message: 'Import a lib through its public entry point only.' },
];
// Each AsyncLocalStorage makes every promise of the process dearer (Node 20): one is shared.
const oneAsyncStore = ['async_hooks', 'node:async_hooks'].map((name) => ({
  name,
  importNames: ['AsyncLocalStorage'],
  message: 'Use AsyncSlot (@storage/observability): the process shares one AsyncLocalStorage.',
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.cache/**',
      '.data/**',
      'coverage/**',
      'bench-results/**',
      '*.mjs',
      '*.js',
      'helm/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-restricted-imports': ['error', { paths: oneAsyncStore, patterns: publicEntryPoints }],
    },
  },
  {
    // The one AsyncLocalStorage itself.
    files: ['libs/observability/src/async-slot.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: publicEntryPoints }] },
  },
  {
    // The hexagon's import directions (tools/eslint/layer-boundaries.cjs says which).
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    plugins: { boundaries: layerBoundaries },
    rules: { 'boundaries/layers': 'error' },
  },
  {
    files: ['tools/eslint/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
);
