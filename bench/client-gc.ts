import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// The benchmark's own garbage collector, for a minor collection between timed requests. Node
// exposes gc() only under --expose-gc; setting the flag at run time and reading gc from a fresh
// context is V8's documented way to get it without changing how the benchmark is started.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;

/**
 * Empties this process's young generation, so that none of its own garbage collection lands inside
 * the next timed request: in a traced run of bench:queue the client's scavenges, several
 * milliseconds each here, sat on a good part of the slowest page requests. What is timed should be
 * the server's work, not the benchmark's.
 */
export function collectClientGarbage(): void {
  gc({ type: 'minor' });
}
