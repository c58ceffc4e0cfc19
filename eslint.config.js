// Lint: typescript-eslint, Lit and web-component rules, and the import lines the layout depends on.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import tseslint from 'typescript-eslint';

// Pure rules: tested without a DOM, so they import no controller, view, style or chunk.
const PURE = [
  'src/**/*-rules.ts',
  'src/quality/corners/**',
  'src/quality/thresholds.ts',
  'src/camera/framing.ts',
  'src/check/{response,verdict,retry,errors,endpoint}.ts',
  'src/image/{sniff,limits,canvas-limit}.ts',
  'src/handoff/handoff-mode.ts',
];
const VIEWS_AND_CONTROLLERS = [
  'src/**/*-controller.ts',
  'src/**/*-controllers.ts',
  'src/**/*-view.ts',
  'src/**/*-views.ts',
  'src/**/*.styles.ts',
  'src/**/*.chunk.ts',
  'src/element/**',
];
// What the server may share with the browser half: byte sniffing, limits and the response parser.
const here = import.meta.dirname;
const SHARED_WITH_SERVER = [
  'src/server/**',
  'src/image/{sniff,limits}.ts',
  'src/check/{response,verdict,errors}.ts',
  'src/handoff/handoff-{rules,mode}.ts',
].map((glob) => `${here}/${glob}`);

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-demo/**',
      'node_modules/**',
      'test/bundlers/apps/**',
      'test/runtimes/apps/**',
      'test/fixtures/**',
      'integrations/**',
      'custom-elements.json',
      'docs/api/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', console: 'readonly', process: 'readonly' },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.mjs', '.js'] } } },
    rules: {
      'no-undef': 'off', // TypeScript checks names
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'import-x/no-duplicates': 'error',
      'import-x/first': 'error',
      'import-x/no-self-import': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ...lit.configs['flat/recommended'],
  },
  {
    files: ['src/**/*.ts'],
    ...wc.configs['flat/recommended'],
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: 'src/server/**',
              from: 'src/**',
              except: SHARED_WITH_SERVER,
              message:
                'The server runs without a DOM: it shares only pure rules (sniff, limits, response, handoff rules) with the browser half.',
            },
            ...PURE.map((target) => ({
              target,
              from: VIEWS_AND_CONTROLLERS,
              message: 'A pure module imports no controller, view, style, chunk or element module.',
            })),
          ],
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/*.chunk.ts'], message: 'Only the element loads a lazy chunk (with import()).', allowTypeImports: true }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression[source.value=/\\.chunk\\.ts$/]', message: 'Only the element loads a lazy chunk.' },
      ],
    },
  },
  {
    // The element is the one conductor that loads the lazy chunks.
    files: ['src/element/accura-id-liveness.element.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Chai's property assertions (`expect(x).to.be.true`) read as expressions; tests reach into
    // page globals (Playwright's evaluate, a raw JSON body) where `any` is the honest type.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
