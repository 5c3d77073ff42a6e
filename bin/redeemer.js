#!/usr/bin/env node
// The package's `redeemer` command runs the bundled CLI (npm run build writes it).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('redeemer: the CLI is not built yet; run "npm run build" (or use "npm run redeemer -- ...")\n');
  process.exit(2);
}
await import(bundle.href);
