import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ (docs/ARCHITECTURE.md, "Layers and what each may import"): a request flows functions -> graph -> identity/directory -> store.
 * Each folder lists what it must not import; `lib/` (plain helpers) may be imported by all and imports none. `host/` (the Functions
 * host's emulation) sits under graph/ and is imported only through its entry, src/host/index.ts.
 * Only store/ (and local/, tests, benchmarks) may import the Cosmos SDK.
 */
const LAYERS = {
  store: ['graph', 'host', 'identity', 'directory', 'functions', 'local'],
  directory: ['graph', 'host', 'identity', 'functions', 'local'],
  identity: ['graph', 'directory', 'host', 'store', 'functions', 'local'],
  graph: ['store', 'functions', 'local'],
  host: ['graph', 'identity', 'directory', 'store', 'functions', 'local'],
  functions: ['store', 'local'],
  lib: ['graph', 'host', 'identity', 'directory', 'store', 'functions', 'local'],
};

const COSMOS = { group: ['@azure/cosmos', '@azure/cosmos/*'], message: 'Only src/store/ talks to Cosmos DB.' };
const HTTP = { group: ['@azure/functions'], message: 'The domain and the store know nothing of HTTP.' };
/** src/host/ from outside it: through its entry only. */
const HOST_ENTRY = {
  group: ['./host/*', '!./host/index.js', '../host/*', '!../host/index.js', '../../host/*', '!../../host/index.js'],
  message: 'Import src/host/ through its entry, src/host/index.ts.',
};

const layerRules = Object.entries(LAYERS).map(([layer, forbidden]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...forbidden.map((other) => ({
            group: [`../${other}/*`, `../../${other}/*`],
            message: `src/${layer}/ must not import from src/${other}/ (see the layers in eslint.config.js).`,
          })),
          { group: ['../app.js', '../settings.js', '../index.js'], message: 'Only the composition root wires the layers.' },
          ...(layer === 'host' ? [] : [HOST_ENTRY]),
          ...(layer === 'store' ? [] : [COSMOS]),
          ...(layer === 'store' || layer === 'directory' || layer === 'lib' ? [HTTP] : []),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'packages/*/dist/', 'node_modules/', '.local/', 'artifact/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        Request: 'readonly',
        Response: 'readonly',
        Headers: 'readonly',
        AbortController: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [COSMOS, HOST_ENTRY] }] },
  },
  {
    files: ['src/local/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [HOST_ENTRY] }] },
  },
  ...layerRules,
  {
    // Rules that need the type checker, for the shipped code only (tests and scripts keep the faster
    // untyped run): a promise nobody awaits or handles, a promise where a callback's return is ignored,
    // `async` without `await`, an assertion the types already make true, and `!` where narrowing says why.
    files: ['src/**/*.ts', 'packages/*/src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      'require-await': 'off',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    // CommonJS files (the stand-in Functions worker preloaded with --require).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __filename: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
