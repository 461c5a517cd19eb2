import { readFileSync } from 'node:fs';

/**
 * File descriptors kept beside RESP clients for the node's own use: peer connections both ways,
 * gRPC and REST clients, snapshot files. Redis keeps 32 (CONFIG_MIN_RESERVED_FDS); a gokv node
 * has more of its own, and one client opening connections must not starve its gossip.
 */
export const RESERVED_FDS = 128;

/** The soft "Max open files" of /proc/self/limits (Linux); undefined when unlimited or unknown. */
export function parseOpenFilesLimit(limitsText: string): number | undefined {
  const match = /^Max open files\s+(\S+)/m.exec(limitsText);
  if (match === null || match[1] === 'unlimited') return undefined;
  const soft = Number(match[1]);
  return Number.isSafeInteger(soft) && soft > 0 ? soft : undefined;
}

/** This process's open-files limit (Node raises the soft limit to the hard one at start). */
export function openFilesLimit(): number | undefined {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'latin1'));
  } catch {
    return undefined; // not Linux: nothing to adjust
  }
}

/**
 * limits.max_clients lowered to what the open-files limit allows, as Redis lowers maxclients:
 * past it, accept() fails and a client is reset with no `max number of clients reached`, and
 * the node's own connections fail too. `warning` says so when it lowered it.
 */
export function respClientsWithin(maxClients: number, fdLimit: number | undefined): { maxClients: number; warning?: string } {
  if (fdLimit === undefined || maxClients + RESERVED_FDS <= fdLimit) return { maxClients };
  const lowered = Math.max(1, fdLimit - RESERVED_FDS);
  return {
    maxClients: lowered,
    warning:
      `limits.max_clients (${maxClients}) needs ${maxClients + RESERVED_FDS} open files, over this process's limit of ${fdLimit}: ` +
      `RESP clients are limited to ${lowered}; raise 'ulimit -n' for more`,
  };
}
