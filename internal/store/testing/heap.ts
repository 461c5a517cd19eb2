import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full GC on demand without starting node with --expose-gc: a new context created after the
// flag is set gets `gc`.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapBytes(): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

/**
 * How much the V8 heap (and memory outside it) grew while `build` ran, with what it returned
 * still held, after full GCs: what tests of memory accounting compare estimates with. Only
 * large differences are meaningful (a few percent of noise and some KB of code warm-up).
 */
export function retainedBytes<T>(build: () => T): { bytes: number; kept: T } {
  const before = heapBytes();
  const kept = build();
  return { bytes: heapBytes() - before, kept };
}
