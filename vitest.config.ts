import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export const REPORT_FILE = '.local/vitest-report.json';

export default defineConfig({
  // Tests run the embedded Cosmos server's TypeScript source, not its build.
  resolve: { alias: { '@appproxy/cosmos-local': fileURLToPath(new URL('packages/cosmos-local/src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // CI reads its pass/fail count from this machine-readable report of the same run.
    reporters: process.env.CI ? ['default', ['json', { outputFile: REPORT_FILE }]] : ['default'],
  },
});
