// `npm run devnet`: runs the devnet CLI compiled to dist/devnet (`npm run build:devnet`), so a
// start does not wait for TypeScript to load and transpile the sources. When the compiled files
// are missing or older than a source file, it compiles them first (once, on the first run after
// a change); if that cannot produce them, it falls back to ts-node.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const sourceDir = join(__dirname, 'src');
const outDir = join(__dirname, '..', 'dist', 'devnet', 'src');

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function stale() {
  return sources(sourceDir).some((file) => {
    const out = join(outDir, relative(sourceDir, file)).replace(/\.ts$/, '.js');
    return !existsSync(out) || statSync(out).mtimeMs < statSync(file).mtimeMs;
  });
}

if (stale()) {
  process.stderr.write('devnet: compiling devnet/src to dist/devnet (npm run build:devnet); later starts skip this\n');
  spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(__dirname, 'tsconfig.build.json')], { stdio: 'inherit' });
}
if (stale()) {
  process.stderr.write('devnet: no up-to-date compiled CLI; running the sources through ts-node\n');
  require('ts-node').register({ transpileOnly: true });
  require(join(sourceDir, 'cli.ts'));
} else {
  require(join(outDir, 'cli.js'));
}
