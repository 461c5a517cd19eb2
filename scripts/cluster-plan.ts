// The pure part of `npm run cluster` (scripts/cluster.ts): how many nodes, their addresses and
// the lines printed to try them, apart from the spawning, so tests can check them.

/** The script's own variable: read here, never passed to the nodes (gokv warns of unknown GOKV_*). */
export const SIZE_VAR = 'GOKV_CLUSTER_SIZE';

/** At most this many nodes: from 135 on, the internal ports (7946 up) reach REST's 8080. */
export const MAX_CLUSTER_SIZE = 100;

export interface PlannedNode {
  readonly id: string;
  readonly internal: string;
  readonly grpc: string;
  readonly rest: string;
  readonly resp: string;
}

/** GOKV_CLUSTER_SIZE as a node count (3 when unset or empty); throws naming it when it is not 1-100. */
export function clusterSize(text: string | undefined): number {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return 3;
  const size = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(size >= 1 && size <= MAX_CLUSTER_SIZE)) {
    throw new Error(`${SIZE_VAR} must be a whole number from 1 to ${MAX_CLUSTER_SIZE}, got ${JSON.stringify(text)}`);
  }
  return size;
}

export const planNodes = (count: number): PlannedNode[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `gokv${i + 1}`,
    internal: `127.0.0.1:${7946 + i}`,
    grpc: `127.0.0.1:${50051 + i}`,
    rest: `127.0.0.1:${8080 + i}`,
    resp: `127.0.0.1:${6379 + i}`,
  }));

/** The environment the nodes inherit: this script's, less the variable only it reads. */
export function inheritedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { [SIZE_VAR]: _size, ...rest } = env;
  return rest;
}

/** What the script prints once the nodes are spawned. */
export function startedText(nodes: readonly PlannedNode[]): string {
  return [
    `starting ${nodes.length} node${nodes.length === 1 ? '' : 's'}:`,
    ...nodes.map((n) => `  ${n.id}: gRPC ${n.grpc}  REST ${n.rest}  RESP ${n.resp}  internal ${n.internal}`),
    '',
  ].join('\n');
}

/** What the script prints once every node listens (the examples use the first three, or fewer). */
export function listeningText(nodes: readonly PlannedNode[]): string {
  const at = (i: number): PlannedNode => nodes[i % nodes.length]!;
  return [
    `all ${nodes.length} node${nodes.length === 1 ? '' : 's'} listening; try:`,
    `  npx gokv-cli --uri ${at(0).grpc} status`,
    `  npx gokv-cli --uri ${at(1).grpc} run HSET user:1 name ada`,
    `  npx gokv-cli --uri ${at(2).grpc} run HGETALL user:1`,
    `  redis-cli -p ${at(1).resp.split(':')[1]} HGET user:1 name`,
    nodes.length === 1 ? 'Ctrl-C stops it.' : 'Ctrl-C stops them all.',
    '',
  ].join('\n');
}
