#!/usr/bin/env node
// `npx patientportal ...`: the compiled CLI (npm run build, or any npm start/test, makes it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/server/cli/main.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('Patientportal is not built yet: run `npm run build` first.');
  process.exit(1);
}
await import(cli);
