import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/index.js';
import { ClientMemory, type MemoryHolder } from './client-memory.js';

/** A client whose bytes are set by hand; evict() gives them back, as a closing client does. */
function holder(memory: ClientMemory, name: string, closed: string[]) {
  const h: MemoryHolder & { heldBytes: number; set(n: number): void } = {
    heldBytes: 0,
    set(n) {
      const delta = n - h.heldBytes;
      h.heldBytes = n;
      memory.change(delta);
    },
    evict() {
      closed.push(name);
      h.set(0);
    },
  };
  memory.register(h);
  return h;
}

describe('ClientMemory (limits.max_client_memory)', () => {
  it('closes the largest clients once a report grows the sum past the bound, and only then', () => {
    const memory = new ClientMemory(100, silentLogger(), () => 0);
    const closed: string[] = [];
    const a = holder(memory, 'a', closed);
    const b = holder(memory, 'b', closed);
    const c = holder(memory, 'c', closed);
    a.set(50);
    b.set(30);
    expect(closed).toEqual([]);
    c.set(40); // 120: a, the largest, goes; 70 is under the bound
    expect(closed).toEqual(['a']);
    expect(memory.total).toBe(70);
    b.set(90); // 130: b (90) goes
    expect(closed).toEqual(['a', 'b']);
    expect(memory.evicted).toBe(2);
  });

  it('closes nobody without a bound (0), or when the bytes over it are no client\'s', () => {
    const closed: string[] = [];
    const unbounded = new ClientMemory(0, silentLogger(), () => 0);
    holder(unbounded, 'a', closed).set(1_000_000);
    const memory = new ClientMemory(100, silentLogger(), () => 0);
    const b = holder(memory, 'b', closed);
    memory.change(150); // bytes reported by a client already gone: no holder to close
    expect(closed).toEqual([]);
    b.set(10); // growth while over: b, the largest, goes
    expect(closed).toEqual(['b']);
    b.set(0); // giving back: nothing more
    expect(closed).toEqual(['b']);
  });
});
