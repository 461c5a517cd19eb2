// `npm run build:bench && node dist/bench/replicator-micro.js [in-flight ...]`: the leader's
// bookkeeping cost per replicated write (Replicator and ReplicaLink), with no network: a fake
// replica acks each batch on the next tick. Writes go out `inFlight` at a time to two replicas
// (sync, both acks required), as under a client with that many commands in flight. Run it
// compiled: under tsx, esbuild's name helpers add a property write to every closure.
import { silentLogger } from '../internal/log/index.js';
import { Replicator, type ReplicaStream, type ReplicaTransport, type ReplicationAck } from '../internal/replication/index.js';

const instantReplica: ReplicaTransport = {
  open(): ReplicaStream {
    let onAck: ((ack: ReplicationAck) => void) | undefined;
    return {
      send(_leader, ops) {
        const ackedSeq = ops[ops.length - 1]!.seq;
        setImmediate(() => onAck?.({ ackedSeq, resyncKeys: [] }));
      },
      onAck: (handler) => (onAck = handler),
      onClose: () => undefined,
      close: () => undefined,
    };
  },
};

async function nsPerWrite(inFlight: number): Promise<number> {
  const replicator = new Replicator(
    { selfId: 'leader', transport: instantReplica, exportState: () => { throw new Error('no resync expected'); }, log: silentLogger() },
    { mode: 'sync', timeoutMs: 10_000, maxBatch: 64 },
  );
  const burst = async () => {
    const acks: Array<Promise<void>> = [];
    for (let i = 0; i < inFlight; i++) {
      acks.push(replicator.replicate({ name: 'HSET', key: `key:${i}`, args: ['f', 'v'], version: i + 1, prevVersion: i }, ['r1', 'r2'], 2, undefined)!);
    }
    await Promise.all(acks);
  };
  const bursts = Math.max(1, Math.round(100_000 / inFlight));
  for (let i = 0; i < 20; i++) await burst();
  let best = Infinity;
  for (let run = 0; run < 15; run++) {
    const t0 = performance.now();
    for (let i = 0; i < bursts; i++) await burst();
    best = Math.min(best, ((performance.now() - t0) * 1e6) / (bursts * inFlight));
  }
  replicator.close();
  return best;
}

const sizes = process.argv.slice(2).map(Number);
for (const inFlight of sizes.length > 0 ? sizes : [1, 64, 256, 4096, 16384]) {
  process.stdout.write(`in flight ${String(inFlight).padStart(5)}: ${(await nsPerWrite(inFlight)).toFixed(0).padStart(6)} ns per replicated write (best of 15 runs)\n`);
}
