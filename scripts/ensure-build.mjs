// Before `npm start` and `npm test`: builds (scripts/build.mjs) when there is no build yet, or when
// a source file is newer than it, so a fresh clone's `npm install && npm start` just works.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist/BUILD');

function newest(target) {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(target)) latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

const sources = ['src', 'web', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'vite.config.ts'].map((p) => path.join(root, p));
if (!existsSync(stamp) || Math.max(...sources.map(newest)) > statSync(stamp).mtimeMs) {
  console.log('Building Patientportal (npm run build) …');
  await import('./build.mjs');
}
