// npm run lint: ESLint (typescript-eslint's type-checked rules, no warnings allowed) and Prettier's
// check side by side rather than one after the other, so the lint takes about as long as ESLint's
// type-checking of the whole program. Fails when either fails; each prints its own findings.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const run = (script, args) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [`${root}node_modules/${script}`, ...args], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });

const codes = await Promise.all([run('eslint/bin/eslint.js', ['.', '--max-warnings', '0']), run('prettier/bin/prettier.cjs', ['--check', '.'])]);
process.exit(codes.every((code) => code === 0) ? 0 : 1);
