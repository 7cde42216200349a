// The benchmark's own garbage collector: npm run bench:queue and bench:scale start it with --expose-gc.
const gc = (globalThis as { gc?: (options: { type: 'minor' | 'major' }) => void }).gc;

/**
 * Empties this process's young generation before a timed request, which makes a scavenge of the
 * client's own inside the timed request unlikely (an old-generation step can still land there): in a
 * traced run of bench:queue the client's scavenges, several milliseconds each here, sat on a good
 * part of the slowest page requests. What is timed should be the server's work, not the benchmark's.
 */
export function collectClientGarbage(): void {
  if (!gc) throw new Error('start this benchmark with node --expose-gc (npm run bench:queue or bench:scale does)');
  gc({ type: 'minor' });
}
