/**
 * An on-CPU profile of a process with Linux perf (`perf record -e cpu-clock -g`), for
 * `BENCH_PERF=1 npm run bench:login`. Unlike V8's --cpu-prof, which samples the main thread on a
 * wall-clock timer (a thread descheduled inside a system call keeps collecting samples there),
 * perf samples only what is on a CPU, in every thread, kernel time included. The server runs
 * with --perf-basic-prof so that JavaScript frames have names.
 *
 * Each sample is put to its thread (libuv's pool is where argon2id runs; V8's workers are the
 * garbage collector's helpers), and a main-thread sample to the nearest package or file of ours on
 * its stack, from the leaf up: a socket write that pg asked for counts as pg.
 */
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface PerfRecording {
  stop(): Promise<void>;
}

/** Starts sampling `pid` at 499 Hz into `file` until stop(). */
export function recordPerf(pid: number, file: string): PerfRecording {
  const perf = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '499', '-g', '-p', String(pid), '-o', file], { stdio: 'ignore' });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        perf.once('exit', () => resolve());
        perf.kill('SIGINT');
      }),
  };
}

const THREADS: [RegExp, string][] = [
  [/^libuv-worker/, "libuv's thread pool (argon2id)"],
  [/^MainThread|^node$/, 'main thread (JavaScript, the event loop)'],
  [/^V8Worker|^V8 DefaultWorke/, "V8's workers (garbage collection)"],
];

function threadOf(comm: string): string {
  return THREADS.find(([pattern]) => pattern.test(comm))?.[1] ?? `other (${comm})`;
}

/** The package or file of ours nearest the leaf of a main-thread stack. */
function areaOf(frames: string[]): string {
  // Only JavaScript frames name a file (the Node binary itself lives in node_modules/node).
  for (const frame of frames.filter((f) => f.includes('JS:'))) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(frame);
    if (pkg) return pkg[1]!;
    // Compiled (dist/server), or TypeScript Node strips itself (src: the templates login-bare imports).
    const ours = /(?:dist\/server|\/src)\/([\w-]+)(?:\/([\w-]+))?/.exec(frame);
    if (ours) return `ours: ${ours[2] ? `${ours[1]!}/${ours[2]}` : ours[1]!}`;
    // A floor's own file (bench/login-bare.ts).
    const bench = /\/bench\/([\w-]+)\.ts/.exec(frame);
    if (bench) return `bench/${bench[1]!}.ts`;
  }
  for (const frame of frames) {
    const internal = /\s(node:[a-z_/]+)/.exec(frame);
    if (internal) return `node: ${internal[1]!.replace(/^node:(internal\/)?/, '')}`;
  }
  if (frames.some((f) => /Heap|Scavenge|MarkCompact|Sweeper|GC/.test(f))) return '(garbage collector)';
  return frames.some((f) => f.includes('[kernel')) ? '(kernel, no JavaScript on the stack)' : '(native, no JavaScript on the stack)';
}

/** Reads a perf.data file of `what` and writes the summary as markdown; returns the by-thread lines. */
export function writePerfSummary(file: string, heading: string, out: URL, what = 'the server process'): string[] {
  const text = execFileSync('perf', ['script', '-i', file, '-F', 'comm,ip,sym,dso'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const threads = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let main = 0;
  for (const block of text.split(/\n\s*\n/)) {
    const [head, ...frames] = block.split('\n').filter((line) => line.trim() !== '');
    if (!head) continue;
    total++;
    const thread = threadOf(head.trim());
    threads.set(thread, (threads.get(thread) ?? 0) + 1);
    if (!thread.startsWith('main')) continue;
    main++;
    const area = areaOf(frames);
    areas.set(area, (areas.get(area) ?? 0) + 1);
  }
  const share = (n: number, of: number) => `${((n / of) * 100).toFixed(1)}%`;
  const byThread = [...threads].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name}: ${share(n, total)}`);
  const lines = [
    `# bench:login: on-CPU profile of ${what}`,
    '',
    `Written by \`BENCH_PERF=1 npm run bench:login\`: Linux perf samples ${what} (all its`,
    'threads, kernel time included) at 499 Hz while the logins run, only when a thread is on a CPU.',
    "A main-thread sample counts for the package (or file of ours) nearest its stack's leaf, so a",
    'socket write pg asked for counts as pg. See bench/perf-profile.ts.',
    '',
    '```',
    heading,
    `samples: ${String(total)}; ${byThread.join('; ')}`,
    '```',
    '',
    '## The main thread, by package',
    '',
    '| area | share of the main thread |',
    '| --- | ---: |',
    ...[...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([area, n]) => `| ${area} | ${share(n, main)} |`),
    '',
  ];
  writeFileSync(out, lines.join('\n'));
  return byThread;
}
