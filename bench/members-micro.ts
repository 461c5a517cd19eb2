// `npx tsx bench/members-micro.ts drop [N]` and `npx tsx bench/members-micro.ts flood [N] [MAX]`:
// what many members cost one node, without sockets. `drop`: N members and 3 real ones at 256
// vnodes; the N drop out of the ring, this node gains their arcs (PendingRanges), then they are
// declared dead and forgotten one by one, as member changes arrive. `flood`: one Heartbeat with
// N made-up alive members merged into a table bounded by MAX (limits.max_members; none if
// omitted), then the ring node/ would rebuild from it. Prints ms per step.
import { MemberTable, type MemberEntry } from '../internal/membership/index.js';
import { PendingRanges } from '../internal/rebalance/pending-ranges.js';
import { createHasher, Ring } from '../internal/ring/index.js';

const [mode = 'drop', countArg, maxArg] = process.argv.slice(2);
const count = Number(countArg ?? 1000);
const { textPosition } = await createHasher();
let t = performance.now();
const lap = (what: string): void => {
  const now = performance.now();
  console.log(`${what}: ${(now - t).toFixed(0)} ms`);
  t = now;
};

if (mode === 'drop') {
  const real = ['n1', 'n2', 'n3'];
  const gone = Array.from({ length: count }, (_, i) => `gone-${i}`);
  const before = Ring.fromMembers([...real, ...gone], 256, textPosition);
  const after = Ring.fromMembers(real, 256, textPosition);
  lap(`rings of ${count + 3} and 3 members`);
  const pending = new PendingRanges();
  const arcs = pending.gain(before, after, 'n1', 3, 0);
  pending.keepOwned(after, 'n1', 3);
  lap(`gain and keepOwned (${arcs} arcs)`);
  for (const id of gone) pending.markDead(id);
  lap(`markDead x${count}`);
  for (const id of gone) pending.removeSource(id);
  lap(`removeSource x${count} (${pending.size} arcs left)`);
} else {
  const max = maxArg === undefined ? Infinity : Number(maxArg);
  const table = new MemberTable({ id: 'n1', internalAddr: 'n1:7946', grpcAddr: '', restAddr: '' }, 1, 0, max);
  const ghosts = Array.from({ length: count }, (_, i): MemberEntry => ({
    id: `ghost-${i}`,
    internalAddr: `ghost-${i}:7946`,
    grpcAddr: '',
    restAddr: '',
    status: 'alive',
    incarnation: 1,
    heartbeat: 1,
  }));
  t = performance.now();
  table.merge(ghosts, 0);
  const ring = Ring.fromMembers(table.members().map((m) => m.id), 256, textPosition);
  lap(`merge of ${count} (max ${max}) and ring of ${ring.size} members`);
}
