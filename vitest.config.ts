import { defineConfig } from 'vitest/config';

export const REPORT_FILE = '.local/vitest-report.json';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // CI reads its pass/fail count from this machine-readable report of the same run.
    reporters: process.env.CI ? ['default', ['json', { outputFile: REPORT_FILE }]] : ['default'],
  },
});
