// Child process (run with --expose-gc): fills the real Store with one data layout and reports
// heap bytes per entry after GC, beside the store's own estimate. Strings are made the way the
// gRPC path makes them (latin1 from Buffers), so they are flat one-byte strings as in a node.
// Usage: node --expose-gc --import tsx bench/memory-probe.ts hash-100|list-100|hash-1|hash-1-own-field|hash-1-some-ttl
import { SystemClock, systemRandom } from '../internal/clock/index.js';
import { createHasher } from '../internal/ring/index.js';
import { Store, binFromBuffer } from '../internal/store/index.js';
import { LAYOUTS, expiryOf, fieldFor, keyOf, valueOf, type Layout, type ProbeResult } from './memory-layouts.js';

const bin = (text: string): string => binFromBuffer(Buffer.from(text, 'latin1'));

function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('memory-probe needs --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function probe(layout: Layout): Promise<ProbeResult> {
  const spec = LAYOUTS[layout];
  const hasher = await createHasher();
  const store = new Store({ clock: new SystemClock(), random: systemRandom, hashKey: hasher.keyPosition });
  const before = settledHeap();
  const now = Date.now();
  for (let k = 0; k < spec.keys; k++) {
    const key = bin(keyOf(layout, k));
    for (let f = 0; f < spec.perKey; f++) {
      if (spec.type === 'hash') {
        const e = store.hashForWrite(key);
        e.value.set(bin(fieldFor(layout, k, f)), bin(valueOf(k, f)));
        store.commit(e);
      } else {
        const e = store.listForWrite(key);
        e.value.pushBack(bin(valueOf(k, f)));
        store.commit(e);
      }
    }
    const at = expiryOf(layout, k, now);
    if (at !== undefined) store.setExpireAt(store.get(key)!, at);
  }
  const after = settledHeap();
  const entries = spec.keys * spec.perKey;
  if (store.size !== spec.keys) throw new Error(`store holds ${store.size} keys, expected ${spec.keys}`);
  return { layout, entries, heapBytesPerEntry: (after - before) / entries, estimateBytesPerEntry: store.usedMemory / entries };
}

const layout = process.argv[2] as Layout | undefined;
if (layout !== undefined) {
  if (!(layout in LAYOUTS)) throw new Error(`unknown layout ${layout}`);
  const result = await probe(layout);
  if (process.send) process.send(result);
  else process.stdout.write(`${JSON.stringify(result)}\n`);
}
