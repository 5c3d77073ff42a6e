import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Forks keep the emulator servers of different files apart.
    pool: 'forks',
    // Most files wait on sockets and timers, not on the CPU: vitest's default (one worker less than the
    // cores) is a single worker on two cores, and the suite took 337 s; two workers took 188 s there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
