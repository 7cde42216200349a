// npm run build: the server compiled to JavaScript in dist/server (run with plain `node`), its
// data files beside it, and the web UI in dist/web.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

rmSync(path.join(root, 'dist/server'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
// Files the server reads at run time (the common-password list, the demo GP registry).
cpSync(path.join(root, 'src'), path.join(root, 'dist/server'), {
  recursive: true,
  filter: (source) => !/\.tsx?$/.test(source),
});

// The web client's types from the server's OpenAPI document; fails when the web code no longer fits.
const { writeApiTypes } = await import('./api-types.mjs');
await writeApiTypes(root);

const { build } = await import('vite');
await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
writeFileSync(path.join(root, 'dist/BUILD'), `${new Date().toISOString()}\n`);
