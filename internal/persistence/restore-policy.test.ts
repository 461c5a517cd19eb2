import { describe, expect, it } from 'vitest';
import type { RestorePolicy } from '../config/index.js';
import { decideRestore } from './restore-policy.js';

describe('decideRestore', () => {
  it.each<[RestorePolicy, number, number, boolean]>([
    ['always', 2, 3, true],
    ['always', 0, 0, true],
    ['never', 0, 0, false],
    ['never', 2, 0, false],
    ['auto', 0, 2, true], // no other copy exists anywhere
    ['auto', 0, 0, true],
    ['auto', 2, 0, true], // no seeds: this node starts a new cluster
    ['auto', 1, 1, false], // peers hold copies and will hand them over
    ['auto', 2, 2, false],
  ])('%s with replicas %i and %i seeds restores: %s', (policy, replicas, seeds, restore) => {
    const decision = decideRestore(policy, { replicas, seeds });
    expect(decision.restore).toBe(restore);
    expect(decision.reason).toMatch(policy === 'auto' ? /^auto: / : policy);
  });
});
