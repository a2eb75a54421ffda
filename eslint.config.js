// Flat config. Two architectural rules are enforced here rather than hoped for:
// luxon only in packages/domain (one time module), and process.env only where config is parsed.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'migrations/**', 'coverage/**', '**/*.gen.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'luxon', message: 'Time math lives in packages/domain; pass instants and zone names.' }] },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through apps/api/src/config.ts.' },
      ],
    },
  },
  {
    files: ['packages/domain/src/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Entry points that legitimately read the environment: the config parser, CLIs, test and bench setup.
    files: ['apps/api/src/config.ts', 'packages/db/src/cli/**', 'tests/**', '*.config.ts', 'apps/admin/vite.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.test.ts', 'apps/api/src/test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['apps/admin/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
