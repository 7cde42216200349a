import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

const file = new URL('../docs/perf/RESULTS.md', import.meta.url);

/** The machine a figure was measured on, in one line. */
export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** Appends one run's figures to docs/perf/RESULTS.md (checked in; the README links it). */
export function recordResult(bench: string, lines: string[]): void {
  if (!existsSync(file)) {
    writeFileSync(file, '# Benchmark results\n\nEvery run of `npm run bench:*` appends its figures here, with the date and the machine.\n');
  }
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  appendFileSync(file, `\n## ${bench}, ${when} UTC\n\n${machine()}\n\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n`);
}
