import { writeFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: a package, a Node internal, a file of ours, or V8's own bucket. */
function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node: internals';
  const ours = /dist\/server\/(.*)$/.exec(url);
  return ours ? `ours: ${ours[1]!.replace(/\/[^/]+$/, '')}` : url;
}

/** Self time per function and per area of a V8 .cpuprofile (the main thread only). */
export function summariseProfile(json: string) {
  const profile = JSON.parse(json) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += micros;
    if (functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const file = url.replace(/^.*\/(node_modules|dist)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${file ? `${file}:${String(lineNumber + 1)}` : ''}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + micros);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + micros);
  }
  const top = (map: Map<string, number>, n: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { total, idle, functions: top(functions, 25), areas: top(areas, 15) };
}

/** Writes docs/perf/login-profile.md: the top entries of bench:login's server profile. */
export function writeProfileSummary(json: string, heading: string): void {
  const { total, idle, functions, areas } = summariseProfile(json);
  const busy = total - idle;
  const pct = (micros: number) => `${((micros / busy) * 100).toFixed(1)}%`;
  const ms = (micros: number) => `${(micros / 1000).toFixed(0)} ms`;
  const lines = [
    '# bench:login: CPU profile of the server process',
    '',
    'Written by `BENCH_PROFILE=1 npm run bench:login` (the server started with `--cpu-prof`). The',
    "profile covers the main JavaScript thread only: argon2id runs on libuv's thread pool and does",
    'not appear here, so this is the part of a login that is not the hash. Self time, as a share of',
    'the busy (non-idle) main thread over the whole server run (start-up and warm-up included).',
    'V8 samples on a wall-clock timer, so on a loaded machine a thread that is descheduled inside a',
    'system call (socket writes above all) keeps collecting samples there: the shares say where the',
    "thread waits as much as where it computes; the process's CPU time above is the measured figure.",
    '',
    '```',
    heading,
    `main thread: ${ms(total)} sampled, ${ms(busy)} busy (${((busy / total) * 100).toFixed(0)}%)`,
    '```',
    '',
    '## By area',
    '',
    '| area | self | share |',
    '| --- | ---: | ---: |',
    ...areas.map(([area, micros]) => `| ${area} | ${ms(micros)} | ${pct(micros)} |`),
    '',
    '## Top functions',
    '',
    '| function | self | share |',
    '| --- | ---: | ---: |',
    ...functions.map(([fn, micros]) => `| \`${fn.replace(/\|/g, '\\|')}\` | ${ms(micros)} | ${pct(micros)} |`),
    '',
  ];
  writeFileSync(new URL('../docs/perf/login-profile.md', import.meta.url), lines.join('\n'));
}
