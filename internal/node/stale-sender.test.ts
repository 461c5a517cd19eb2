import { describe, expect, it } from 'vitest';
import type { Member } from '../membership/index.js';
import { staleSender } from './stale-sender.js';

// A forwarded command delayed past a membership change of its sender is refused.

const table = (m: Partial<Member> | undefined) => ({ member: () => m as Member | undefined });

describe('staleSender', () => {
  it.each([
    ['an alive sender at its current incarnation', { status: 'alive', incarnation: 5 }, undefined],
    ['a suspect sender at its current incarnation', { status: 'suspect', incarnation: 5 }, undefined],
    ['a sender held dead', { status: 'dead', incarnation: 5 }, /holds dead/],
    ['a sender that left', { status: 'left', incarnation: 6 }, /holds left/],
    ['a sender known at a higher incarnation (refuted or restarted since)', { status: 'alive', incarnation: 6 }, /older incarnation/],
  ] as const)('%s', (_name, member, expected) => {
    const why = staleSender(table(member), { nodeId: 'b', incarnation: 5 });
    if (expected === undefined) expect(why).toBeUndefined();
    else expect(why).toMatch(expected);
  });

  it('does not judge a sender it does not know', () => {
    expect(staleSender(table(undefined), { nodeId: 'b', incarnation: 5 })).toBeUndefined();
  });
});
