/**
 * npm run build: esbuild bundles each function to one CommonJS file, the way FC's nodejs20 runtime loads
 * `index.handler`, with no node_modules beside it:
 *   dist/<function>/index.js                     the FC code package (s.yaml `code`): this file and nothing else
 *   dist/<function>-custom-runtime/server.js     the custom-runtime server, when functions/<function>/server.ts exists
 *   dist/sourcemaps/<folder>/<file>.map          the maps of both, kept out of the packages (nothing links to them)
 *   dist/cli/index.js                            the `redeemer` CLI (ESM, with its map beside it)
 */
import { build, type BuildOptions } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FUNCTION_BUILD_OPTIONS } from './esbuild-options.js';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
// The repository is "type": "module"; FC reads a .js handler as CommonJS (no package.json in /code), and so
// must Node locally. This file sits above the package folders so that they hold the bundle alone.
writeFileSync('dist/package.json', '{"type":"commonjs"}\n');
const outputs: string[] = [];

/** Builds one CommonJS bundle to `outfile` and its source map to dist/sourcemaps/, its sources re-based there. */
async function bundleTo(entryPoint: string, outfile: string): Promise<void> {
  const result = await build({ ...FUNCTION_BUILD_OPTIONS, entryPoints: [entryPoint], outfile, format: 'cjs', sourcemap: 'external', write: false });
  for (const file of result.outputFiles) {
    if (!file.path.endsWith('.map')) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.contents);
      continue;
    }
    const mapPath = resolve('dist/sourcemaps', relative(resolve('dist'), file.path));
    const map = JSON.parse(file.text) as { sources: string[] };
    map.sources = map.sources.map((source) => relative(dirname(mapPath), resolve(dirname(file.path), source)));
    mkdirSync(dirname(mapPath), { recursive: true });
    writeFileSync(mapPath, JSON.stringify(map));
  }
  outputs.push(outfile);
}

for (const name of existsSync('functions') ? readdirSync('functions') : []) {
  const dir = `functions/${name}`;
  if (!statSync(dir).isDirectory()) continue;
  await bundleTo(`${dir}/index.ts`, `dist/${name}/index.js`);
  if (existsSync(`${dir}/server.ts`)) await bundleTo(`${dir}/server.ts`, `dist/${name}-custom-runtime/server.js`);
}

// The CLI bundles CommonJS packages (yaml, for s.yaml in shared/cli/deployed-env.ts) that require Node's
// built-ins: an ESM bundle has no `require` of its own, so it is made here (esbuild's shim then uses it).
const cli: BuildOptions = {
  ...FUNCTION_BUILD_OPTIONS,
  sourcemap: true,
  entryPoints: ['shared/cli/bin.ts'],
  outfile: 'dist/cli/index.js',
  format: 'esm',
  banner: { js: "// domain-redeemer CLI\nimport { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
};
await build(cli);
outputs.push('dist/cli/index.js');
writeFileSync('dist/cli/package.json', '{"type":"module"}\n');

for (const file of outputs) {
  const bytes = readFileSync(file);
  process.stdout.write(`${join(file)}: ${bytes.length} bytes, ${gzipSync(bytes).length} gzip\n`);
}
