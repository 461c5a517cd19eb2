import { describe, expect, it } from 'vitest';
import { maxMemoryOverHeapLimit } from './heap-limit.js';

const MB = 2 ** 20;

describe('maxMemoryOverHeapLimit', () => {
  it.each([
    ['unlimited', 0, 432 * MB],
    ['the k8s example: 256 MB under --max-old-space-size=384', 256 * MB, 432 * MB],
    ['exactly 2/3 of the limit', 288 * MB, 432 * MB],
  ])('accepts %s', (_name, maxMemory, heapLimit) => {
    expect(maxMemoryOverHeapLimit(maxMemory, heapLimit)).toBeUndefined();
  });

  it('names both figures and the limit that would do when max_memory is over 2/3 of the heap limit', () => {
    expect(maxMemoryOverHeapLimit(8192 * MB, 4144 * MB)).toBe(
      'memory.max_memory (8192 MB) is over 2/3 of the V8 heap limit (4144 MB): the process may run out of heap ' +
        'before eviction starts; lower max_memory or raise the limit (NODE_OPTIONS=--max-old-space-size=12288)',
    );
  });
});
