import { describe, expect, it } from 'vitest';
import type { MemberEntry } from '../membership/index.js';
import type { HeartbeatNode__Output } from '../gen/internalpb/HeartbeatNode.js';
import { memberFromProto, memberToProto } from './internal-codec.js';

const entry = (status: MemberEntry['status']): MemberEntry => ({
  id: 'n1',
  internalAddr: '10.0.0.1:7001',
  grpcAddr: '10.0.0.1:6001',
  restAddr: '10.0.0.1:8001',
  status,
  incarnation: 3,
  heartbeat: 42,
});

describe('heartbeat members on the wire', () => {
  it('round-trips every status', () => {
    for (const status of ['alive', 'suspect', 'dead', 'left'] as const) {
      expect(memberFromProto(memberToProto(entry(status)) as HeartbeatNode__Output)).toEqual(entry(status));
    }
  });

  it('sets the Go field `alive` for an alive member only: a dead or departed one is not alive to a Go node', () => {
    expect(memberToProto(entry('alive')).alive).toBe(true);
    expect(memberToProto(entry('dead')).alive).toBe(false);
    expect(memberToProto(entry('left')).alive).toBe(false);
  });

  it('derives the status of a Go node, which sends none, from `alive`', () => {
    const go = (alive: boolean, status = ''): HeartbeatNode__Output => ({
      ...(memberToProto(entry('alive')) as HeartbeatNode__Output),
      alive,
      status,
    });
    expect(memberFromProto(go(true)).status).toBe('alive');
    expect(memberFromProto(go(false)).status).toBe('dead');
    // A status it does not know is read the same way.
    expect(memberFromProto(go(false, 'resting')).status).toBe('dead');
    expect(memberFromProto(go(false, 'suspect')).status).toBe('suspect');
  });
});
