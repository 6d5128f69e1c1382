import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/summary-reporter';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30000,
    hookTimeout: 30000,
    // Compat tests start their own redis-server; files run in parallel on separate ports.
    pool: 'forks',
    reporters: ['default', new SummaryReporter()],
  },
});
