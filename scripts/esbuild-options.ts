/** The esbuild settings of every function bundle; the benchmark builds its reference with the same. */
import type { BuildOptions } from 'esbuild';

export const FUNCTION_BUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  // Maps are written apart from the bundle (no sourceMappingURL): the deployed package is the bundle alone.
  sourcemap: 'external',
  legalComments: 'none',
  // Preinstalled in FC's Node.js runtimes: never bundled.
  external: ['@alicloud/fc2'],
  logLevel: 'warning',
};
