// Lint for the TypeScript sources and tests: the recommended rules plus the type-aware ones that catch
// floating promises and unsafe any, which matter in an action that awaits child processes.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { layerRules, sourceSizeRule } from './eslint.layers.js'

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'testing/emulator/**',
      'modal/**',
      'modal-session/**',
      'local-adapter/**',
      'processors/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  ...layerRules(),
  sourceSizeRule(),
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
  {
    files: ['__tests__/**/*.ts', 'scripts/**/*.d.mts', 'testing/harness/*.d.mts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
)
