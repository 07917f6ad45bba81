import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests open real sockets and spawn processes; two forks match the two cores here.
    pool: 'forks',
    maxWorkers: 2,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'reports/test-junit.xml' },
    // Emulators the tests start never take keys from the developer's stock (~/.cache/provbench/keys).
    env: { PROVBENCH_KEY_STOCK: join(tmpdir(), `provbench-test-key-stock-${process.pid}`) },
  },
});
