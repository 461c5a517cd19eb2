import { describe, expect, it } from 'vitest';
import { retainedBytes } from '../store/testing/heap.js';
import { parseCompatCommand } from './command-request.js';

describe('parseCompatCommand', () => {
  it('splits the command on whitespace: name, key, then the arguments', () => {
    expect(parseCompatCommand({ command: ' HSET  h\tf v ' }, 10)).toEqual({ name: 'HSET', key: 'h', args: ['f', 'v'] });
  });

  it('gives a key that does not keep the rest of the command text alive', () => {
    const { bytes, kept } = retainedBytes(() => {
      const keys: string[] = [];
      for (let i = 0; i < 2000; i++) keys.push(parseCompatCommand({ command: `SET a-key-of-some-length-${i} ${'v'.repeat(10_000)}` }, 10).key);
      return keys;
    });
    expect(kept).toHaveLength(2000);
    // A slice of the command text: about 10 KB a key.
    expect(bytes / kept.length).toBeLessThan(1000);
  });
});
