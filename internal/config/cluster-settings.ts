/**
 * The settings every node of a cluster must share. Each node places keys with its own ring and
 * copies them to its own replica count: a node with another `v_node_count` leads keys the others
 * think are someone else's, one with fewer `replicas` acknowledges writes no other node holds,
 * and a smaller `max_message_bytes` refuses the replication batches its leaders send. Nodes
 * send these on every heartbeat (as gRPC metadata, so the wire messages are unchanged) and warn
 * when a peer's differ.
 */
import type { Config } from './types.js';

/** The heartbeat metadata key that carries them. */
export const CLUSTER_SETTINGS_METADATA = 'gokv-cluster-settings';

/** Longest settings text read from a peer (anything longer is cut). */
const MAX_SETTINGS_CHARS = 1024;

/** `name=value` pairs, space-separated, in a fixed order. */
export function clusterSettingsText(config: Pick<Config, 'cluster' | 'replication' | 'limits'>): string {
  return [
    `cluster.v_node_count=${config.cluster.vNodeCount}`,
    `cluster.replicas=${config.cluster.replicas}`,
    `cluster.minority_writes=${config.cluster.minorityWrites}`,
    `replication.mode=${config.replication.mode}`,
    `limits.max_message_bytes=${config.limits.maxMessageBytes}`,
    `limits.max_members=${config.limits.maxMembers}`,
  ].join(' ');
}

/**
 * Each setting whose value differs between `ours` and `theirs`, as `name: X there, Y here`.
 * A setting one side does not send (an older node) is not compared.
 */
export function clusterSettingsDifferences(ours: string, theirs: string): string[] {
  const mine = parse(ours);
  const differences: string[] = [];
  for (const [name, value] of parse(theirs.slice(0, MAX_SETTINGS_CHARS))) {
    const here = mine.get(name);
    if (here !== undefined && here !== value) differences.push(`${name}: ${value} there, ${here} here`);
  }
  return differences;
}

function parse(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const part of text.split(' ')) {
    const eq = part.indexOf('=');
    if (eq > 0) pairs.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return pairs;
}
