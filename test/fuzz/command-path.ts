import fc from 'fast-check';
import { ManualClock, SeededRandom } from '../../internal/clock/index.js';
import { executeCommand, lookupCommand, type Reply } from '../../internal/command/index.js';
import { GokvError } from '../../internal/errors/index.js';
import { silentLogger } from '../../internal/log/index.js';
import { TransportError } from '../../internal/peer/index.js';
import type { Replicator } from '../../internal/replication/index.js';
import { createHasher, Ring } from '../../internal/ring/index.js';
import { Router, type ClusterView, type Forwarder } from '../../internal/router/index.js';
import { Store } from '../../internal/store/index.js';
import { encodeReply } from '../../internal/wire/index.js';
import { commandSequence, type FuzzCommand } from './command-arbitraries.js';

// The command path under random and mutated commands: executeCommand on a Store, and the
// Router in front of it (one node of three: forwarded commands get a reply or a transport
// failure). A command may fail only with a GokvError of a client-facing code; every reply
// must encode; over-limit argument lists and values are refused with LIMIT; no command takes
// long; the store stays within max_memory (plus what one command adds).

export const LIMITS = { maxArgs: 64, maxValueBytes: 8_192 };
const MAX_MEMORY = 16 * 1024;
/** A command slower than this is a hang (generous: a GC pause on a loaded machine is not). */
const SLOW_MS = 5_000;

export interface CommandFuzzCounts {
  sequences: number;
  commands: number;
  viaRouter: number;
  ok: number;
  errors: Record<string, number>;
  maxCommandMs: number;
  /** Largest used memory seen, and the limit. */
  maxUsedMemory: number;
  maxMemory: number;
}

const hasher = await createHasher();
const RING = Ring.fromMembers(['a', 'b', 'c'], 64, hasher.textPosition);

function freshNode(seed: number, policy: 'allkeys-lru' | 'noeviction' | 'volatile-lru') {
  const clock = new ManualClock();
  const store = new Store(
    { clock, random: new SeededRandom(seed), hashKey: hasher.keyPosition },
    { maxMemoryBytes: MAX_MEMORY, evictionPolicy: policy, tombstoneRetentionMs: 60_000 },
  );
  // The other members, as one store: a forwarded command runs there (its error comes back as
  // is), or now and then fails in the transport.
  const peer = new Store({ clock, random: new SeededRandom(seed + 1), hashKey: hasher.keyPosition }, { maxMemoryBytes: MAX_MEMORY });
  let n = 0;
  const forwarder: Forwarder = {
    forward: async (member, cmd) => {
      if (++n % 5 === 0) throw new TransportError(member, 'fuzz: peer down', { maybeApplied: n % 2 === 0 });
      return encodeReply(executeCommand(peer, cmd, { limits: LIMITS }).reply);
    },
  };
  const replicator = {
    replicate: (_write: unknown, _replicas: unknown, _required: unknown, result: unknown) => (n % 2 === 0 ? Promise.resolve(result) : undefined),
    confirm: (_key: unknown, _replicas: unknown, _required: unknown, result: unknown) => (n % 3 === 0 ? Promise.resolve(result) : undefined),
    behind: () => undefined,
    unacknowledged: () => undefined,
  } as unknown as Replicator;
  const view: ClusterView = { selfId: 'a', ring: RING, statusOf: () => 'alive', writable: () => true, joined: () => true };
  const router = new Router(
    { store, hasher, view: () => view, forwarder, replicator, log: silentLogger() },
    { replicas: 1, hopLimit: 2, limits: LIMITS },
  );
  return { clock, store, router };
}

const bytesOf = (c: FuzzCommand) => c.key.length + c.args.reduce((s, a) => s + a.length, 0);

/** Runs `sequences` random command sequences; throws (with fast-check's shrunk counterexample) on a violation. */
export async function fuzzCommandPath(options: { sequences: number; maxLength: number; seed: number }): Promise<CommandFuzzCounts> {
  const counts: CommandFuzzCounts = {
    sequences: 0, commands: 0, viaRouter: 0, ok: 0, errors: {}, maxCommandMs: 0, maxUsedMemory: 0, maxMemory: MAX_MEMORY,
  };
  const policies = ['allkeys-lru', 'noeviction', 'volatile-lru'] as const;
  await fc.assert(
    fc.asyncProperty(commandSequence(options.maxLength), fc.nat(), async (commands, seed) => {
      counts.sequences++;
      const node = freshNode(seed, policies[seed % policies.length]!);
      const useRouter = seed % 2 === 0;
      for (const cmd of commands) {
        counts.commands++;
        if (useRouter) counts.viaRouter++;
        const started = performance.now();
        let reply: Reply | undefined;
        let error: unknown;
        try {
          reply = useRouter ? await node.router.execute(cmd) : executeCommand(node.store, cmd, { limits: LIMITS }).reply;
          encodeReply(reply);
        } catch (err) {
          error = err;
        }
        const ms = performance.now() - started;
        counts.maxCommandMs = Math.max(counts.maxCommandMs, ms);
        if (ms > SLOW_MS) throw new Error(`${cmd.name} took ${ms.toFixed(0)} ms`);
        if (error !== undefined) {
          if (!(error instanceof GokvError) || error.code === 'INTERNAL') throw error;
          counts.errors[error.code] = (counts.errors[error.code] ?? 0) + 1;
        } else counts.ok++;
        const spec = lookupCommand(cmd.name);
        const over = cmd.args.length > LIMITS.maxArgs || [cmd.key, ...cmd.args].some((a) => a.length > LIMITS.maxValueBytes);
        if (spec && !spec.flags.keyless && over && !(error instanceof GokvError && error.code === 'LIMIT')) {
          throw new Error(`${cmd.name} over the limits was not refused with LIMIT (${String(error ?? 'ok')})`);
        }
        const used = node.store.usedMemory;
        counts.maxUsedMemory = Math.max(counts.maxUsedMemory, used);
        if (used > MAX_MEMORY + 4 * bytesOf(cmd) + 16 * 1024) throw new Error(`store at ${used} bytes over max_memory ${MAX_MEMORY}`);
        node.clock.advance(seed % 7 === 0 ? 0 : (seed * 7919 + counts.commands) % 3_000);
      }
    }),
    { numRuns: options.sequences, seed: options.seed, endOnFailure: false },
  );
  return counts;
}
