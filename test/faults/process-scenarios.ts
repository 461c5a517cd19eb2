import { join } from 'node:path';
import { checkLedger } from '../helpers/checker.js';
import { Ledger, startReaders, startWriters } from '../helpers/ledger.js';
import { ProcessCluster, type ProcessNode } from '../helpers/process-cluster.js';
import { rpcSource, waitForReplicas } from '../helpers/replicas.js';
import { expectClean, printFigures, progress, type Figures } from './figures.js';

// Fault scenarios on real node processes (test/fixtures/faults.yml: replicas 1, dead_after
// 1.2 s): writers and readers run throughout; the checker and the replica comparison judge
// the end. `writes` is how many writes each phase waits for (short in `npm test`, longer in
// `npm run test:faults`).

export const FAULTS_CONFIG = join('test', 'fixtures', 'faults.yml');
const COPIES = 2; // replicas: 1

export interface Scale {
  /** Writes (HSET + RPUSH pairs) to wait for in each phase. */
  readonly writes: number;
}

type Fault = (cluster: ProcessCluster, ctx: FaultContext) => Promise<void>;

interface FaultContext {
  /** ms since the history began (the fault's start is taken with it). */
  now(): number;
  /** Nodes that clients may use now (a paused node stays: its clients just wait). */
  readonly down: Set<ProcessNode>;
  /** Records when the fault was detected by every survivor. */
  detected(): void;
  /** Records when the fault is over and every live node has one view again. */
  recovered(): void;
  /** Lets writers run for another phase. */
  phase(): Promise<void>;
}

/**
 * Starts 3 node processes, runs writers (through every node up) and readers, applies `fault`,
 * then checks the history and that every key ends on 2 nodes with identical copies.
 */
export async function runProcessScenario(
  name: string,
  scale: Scale,
  fault: Fault,
  start: (env: Record<string, string>) => Promise<ProcessCluster> = (env) => ProcessCluster.start(3, env),
): Promise<Figures> {
  const logLevel = process.env.FAULT_LOG_LEVEL ?? 'warn';
  const cluster = await start({ GOKV_LOG_LEVEL: logLevel, GOKV_CONFIG_PATH: FAULTS_CONFIG });
  const ledger = new Ledger();
  const down = new Set<ProcessNode>();
  const entries = () => cluster.nodes.filter((n) => !down.has(n)).map((n) => n.client);
  const writers = startWriters(entries, ledger, { writers: 4, hashKeys: 25, prefix: 'f', deletes: true, pops: true });
  const readers = startReaders(entries, ledger, 2);
  let t0 = 0;
  let detectMs: number | undefined;
  let recoverMs: number | undefined;
  let stoppedAt = 0;
  try {
    await progress(writers, scale.writes);
    t0 = ledger.history.now();
    await fault(cluster, {
      now: () => ledger.history.now(),
      down,
      detected: () => (detectMs = ledger.history.now() - t0),
      recovered: () => (recoverMs = ledger.history.now() - t0),
      phase: () => progress(writers, scale.writes),
    });
    await progress(writers, scale.writes);
  } finally {
    await Promise.all([writers.stop(), readers.stop()]);
    stoppedAt = ledger.history.now();
  }
  try {
    const live = cluster.nodes.filter((n) => !down.has(n));
    const report = await checkLedger(live[0]!.client, ledger);
    const keys = [...new Set(ledger.history.ops.map((op) => op.key))];
    const sources = live.map((n) => rpcSource(n.id, n.internal));
    const replicas = await waitForReplicas(sources, keys, Math.min(COPIES, live.length), 30_000);
    const convergedMs = ledger.history.now() - stoppedAt;
    for (const s of sources) s.close?.();
    const failedAt = ledger.history.lastWriteFailureMs(t0);
    const figures: Figures = {
      scenario: name,
      acked: report.acked,
      unknown: report.unknown,
      lost: report.lost.length + report.duplicated.length,
      detectMs,
      writesOkMs: failedAt === undefined ? 0 : failedAt - t0,
      recoverMs,
      convergedMs,
      staleReads: report.staleReads,
      reads: report.reads,
    };
    printFigures(figures);
    const failed = report.lost.length + report.badReads.length + report.duplicated.length > 0 || replicas.divergent.length > 0;
    if (process.env.FAULT_DUMP && (failed || process.env.FAULT_DUMP_ALWAYS)) {
      {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(process.env.FAULT_DUMP, JSON.stringify({ startMs: ledger.history.startMs, nodes: cluster.nodes.map((n) => ({ id: n.id, grpc: n.grpc })), report, replicas, ops: ledger.history.ops, logs: Object.fromEntries(cluster.nodes.map((n) => [n.id, n.log.join('')])) }));
      }
    }
    if (failed) for (const n of cluster.nodes) console.log(`--- ${n.id} log tail\n${n.log.join('').split('\n').slice(-40).join('\n')}`);
    expectClean(report, replicas);
    return figures;
  } finally {
    await cluster.stop();
  }
}

/** The member that leads `key` (EXPLAIN through `via`). */
export async function leaderOf(cluster: ProcessCluster, via: ProcessNode, key: string): Promise<ProcessNode> {
  const reply = (await via.client.run('EXPLAIN', key)) as Map<string, unknown>;
  const leader = String(reply.get('leader'));
  return cluster.nodes.find((n) => n.id === leader)!;
}

const others = (cluster: ProcessCluster, node: ProcessNode) => cluster.nodes.filter((n) => n !== node);

/** SIGKILL of the leader of a busy list; the survivors take over its keys. */
export const sigkillLeader: Fault = async (cluster, ctx) => {
  const victim = await leaderOf(cluster, cluster.nodes[0]!, 'f:list:0');
  ctx.down.add(victim);
  cluster.kill(victim);
  await cluster.waitForStatus(others(cluster, victim), victim.id, ['dead', 'gone']);
  ctx.detected();
  await cluster.waitForAlive(others(cluster, victim), 2);
  ctx.recovered();
  await ctx.phase();
};

/**
 * SIGSTOP for three times dead_after, then SIGCONT: the others declare it dead and take its
 * keys; its clients' calls wait meanwhile and run when it wakes with a stale view (the write
 * fence and the re-join must keep them from overwriting newer copies).
 */
export const pauseBeyondDeadAfter: Fault = async (cluster, ctx) => {
  const victim = await leaderOf(cluster, cluster.nodes[0]!, 'f:list:1');
  const pausedAt = Date.now();
  cluster.kill(victim, 'SIGSTOP');
  try {
    await cluster.waitForStatus(others(cluster, victim), victim.id, ['dead', 'gone']);
    ctx.detected();
    // Paused at least 3 x dead_after in all (writers keep going through the others; those
    // that picked the paused node wait, and their calls run when it wakes).
    while (Date.now() - pausedAt < 3_600) await new Promise((r) => setTimeout(r, 50));
  } finally {
    cluster.kill(victim, 'SIGCONT');
  }
  await cluster.waitForAlive(cluster.nodes, 3, 60_000);
  ctx.recovered();
};

/** SIGKILL and restart under the same id at once, before the others can notice. */
export const quickRestart: Fault = async (cluster, ctx) => {
  const victim = await leaderOf(cluster, cluster.nodes[0]!, 'f:list:2');
  ctx.down.add(victim);
  cluster.restart(victim);
  await cluster.waitForAlive(cluster.nodes.filter((n) => n !== victim), 3, 60_000);
  ctx.down.delete(victim);
  await cluster.waitForAlive(cluster.nodes, 3, 60_000);
  ctx.detected();
  ctx.recovered();
};

/** SIGKILL, wait until it is declared dead and its keys moved, then restart under the same id. */
export const restartAfterDeath: Fault = async (cluster, ctx) => {
  const victim = await leaderOf(cluster, cluster.nodes[0]!, 'f:list:3');
  ctx.down.add(victim);
  cluster.kill(victim);
  await cluster.waitForStatus(others(cluster, victim), victim.id, ['dead', 'gone']);
  ctx.detected();
  await ctx.phase();
  cluster.restart(victim);
  await cluster.waitForAlive(cluster.nodes, 3, 60_000);
  ctx.recovered();
  ctx.down.delete(victim);
};

/** Each node in turn: SIGTERM (graceful leave and hand-off), restart under the same id, rejoin. */
export const rollingRestart: Fault = async (cluster, ctx) => {
  for (const node of cluster.nodes) {
    ctx.down.add(node);
    await cluster.terminate(node);
    if (node === cluster.nodes[0]) ctx.detected();
    await ctx.phase();
    cluster.restart(node);
    await cluster.waitForAlive(cluster.nodes, 3, 60_000);
    ctx.down.delete(node);
    await ctx.phase();
  }
  ctx.recovered();
};
