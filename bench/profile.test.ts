import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from './children.js';
import { summarise } from './profile.js';

// Two functions and idle. Sample i is taken at the sum of the deltas up to i and charged the next
// delta: lookup at 0 and 300 (300 + 300 us), write at 600 (100 us), idle at 700 (500 us), and
// lookup at 1200 (the last delta, 0).
const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', '') },
    { id: 2, callFrame: frame('lookup', pathToFileURL(join(ROOT, 'internal/store/a.js')).href) },
    { id: 3, callFrame: frame('write', 'node:internal/streams/writable') },
    { id: 4, callFrame: frame('(idle)', '') },
  ],
  startTime: 0,
  samples: [2, 2, 3, 4, 2],
  timeDeltas: [0, 300, 300, 100, 500, 0],
};

describe('summarise', () => {
  it('charges self time per function and module, leaves idle out, and gives us per operation', () => {
    const text = summarise(profile, 5, 0, Infinity, 6);
    expect(text).toContain('busy (non-idle) CPU in profile: 1 ms, 116.7 us per operation over 6 operations');
    expect(text).toMatch(/85\.7 %\s+1 ms\s+100\.00 us\/op {2}lookup {2}internal\/store\/a\.js/);
    expect(text).toMatch(/14\.3 %\s+0 ms\s+16\.67 us\/op {2}write {2}node:internal\/streams\/writable/);
    expect(text).toMatch(/100\.00 us\/op {2}internal\/store\n/);
    expect(text).toMatch(/16\.67 us\/op {2}node core/);
  });

  it('counts only the samples inside the window', () => {
    const text = summarise(profile, 5, 500, 700, 2);
    // Only the write at 600 (100 us) and the idle sample at 700 fall in [500, 700].
    expect(text).toContain('50.0 us per operation over 2 operations');
  });

  it('prints no per-operation column without an operation count', () => {
    expect(summarise(profile)).not.toContain('us/op');
  });
});
