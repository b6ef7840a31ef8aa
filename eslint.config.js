import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript files (bin, scripts, benchmark children) run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // A spread in a call puts every element on the stack: past ~100k elements (a big package
    // database, a hostile layer) it throws. Use appendAll / maxOf from src/util/arrays.ts.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        // A constant tuple (`.option(...SERVER)`, upper-case name) is fixed in size: allowed.
        { selector: "CallExpression > SpreadElement:not([argument.type='Identifier'][argument.name=/^[A-Z][A-Z0-9_]*$/]), NewExpression > SpreadElement", message: 'No spread in calls (stack overflow on big arrays): use appendAll/maxOf from src/util/arrays.ts or a loop.' },
      ],
    },
  },
);
