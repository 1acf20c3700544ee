// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', '.tools/**', 'node_modules/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    // Type-aware: a promise nobody awaits loses its error (an unhandled rejection ends the process) and a
    // promise passed where a callback's result is ignored (Express, Nest hooks, timers) runs unobserved.
    // tsconfig.json covers src, workflows, activities, scripts and test; the project service finds it.
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Plain JavaScript has no type information: the web pages (served as they are) and Jest's config,
    // reporter and this file.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain CommonJS run by Node itself (Jest's config and reporter).
    files: ['**/*.js'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox and is bundled on its own: it may depend on
    // Temporal's workflow API, its own files, the domain's pure rules and the contracts, nothing else. A
    // type-only import of anything (an activity class for proxyActivities) is erased and stays allowed.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?![.]|@temporalio/(workflow|common)(/|$))',
              message:
                'workflows/ imports only @temporalio/workflow and @temporalio/common (a type-only import is fine)',
              allowTypeImports: true,
            },
            {
              regex: '^[.][.]/(?!src/(domain|contracts)/[^/]+$)',
              message:
                'workflows/ imports only its own files, src/domain and src/contracts (a type-only import is fine)',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure rules: no framework, no database, no Temporal, no I/O, no other layer of src/.
    files: ['src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(node:|(fs|path|os|net|http|https|child_process|crypto)(/|$)|@temporalio/|@nestjs/|typeorm(/|$)|pg(/|$))',
              message: 'src/domain/ holds pure rules: no Temporal, Nest, TypeORM, PostgreSQL or Node I/O',
            },
            { regex: '^[.][.]/', message: 'src/domain/ depends on nothing else in src/' },
          ],
        },
      ],
    },
  },
  {
    // Contracts are shared by the workflow bundle, the activities and the API: declarations only, nothing
    // that drags in the server side.
    files: ['src/contracts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(node:|(fs|path|os|net|http|https|child_process|crypto)(/|$)|@nestjs/|typeorm(/|$)|pg(/|$)|@temporalio/(activity|client|worker)(/|$))',
              message:
                'src/contracts/ is imported by workflows: no Nest, TypeORM, PostgreSQL, Node I/O or server-side Temporal',
            },
            { regex: '^[.][.]/(?!domain/)', message: 'src/contracts/ depends only on src/domain' },
          ],
        },
      ],
    },
  },
);
