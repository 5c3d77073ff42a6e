/**
 * npm run build: esbuild bundles each function to one CommonJS file in dist/<function>/index.js, the way
 * FC's nodejs20 runtime loads `index.handler`, with no node_modules beside it. Also the custom-runtime
 * server (dist/redeem/server.js) and the CLI (dist/cli/index.js).
 */
import { build } from 'esbuild';
import { FUNCTION_BUILD_OPTIONS } from './esbuild-options.js';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

const common = FUNCTION_BUILD_OPTIONS;

rmSync('dist', { recursive: true, force: true });
const outputs: string[] = [];

for (const name of existsSync('functions') ? readdirSync('functions') : []) {
  const dir = `functions/${name}`;
  if (!statSync(dir).isDirectory()) continue;
  await build({ ...common, entryPoints: [`${dir}/index.ts`], outfile: `dist/${name}/index.js`, format: 'cjs' });
  // The repository is "type": "module"; FC reads a .js handler as CommonJS, and so must Node locally.
  writeFileSync(`dist/${name}/package.json`, '{"type":"commonjs"}\n');
  outputs.push(`dist/${name}/index.js`);
  if (existsSync(`${dir}/server.ts`)) {
    await build({ ...common, entryPoints: [`${dir}/server.ts`], outfile: `dist/${name}/server.js`, format: 'cjs' });
    outputs.push(`dist/${name}/server.js`);
  }
}
await build({ ...common, entryPoints: ['shared/cli/bin.ts'], outfile: 'dist/cli/index.js', format: 'esm', banner: { js: '// domain-redeemer CLI' } });
outputs.push('dist/cli/index.js');
writeFileSync('dist/cli/package.json', '{"type":"module"}\n');

for (const file of outputs) {
  const bytes = readFileSync(file);
  process.stdout.write(`${file}: ${bytes.length} bytes, ${gzipSync(bytes).length} gzip\n`);
}
