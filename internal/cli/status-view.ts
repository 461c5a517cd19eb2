import type { HealthcheckResponse__Output } from '../gen/externalpb/HealthcheckResponse.js';
import type { JsonValue } from './format-json.js';

/** One member as `gokv-cli status` shows it; null where the server did not say. */
export interface MemberView {
  id: string;
  grpcAddr: string | null;
  internalAddr: string | null;
  restAddr: string | null;
  status: string;
  alive: boolean;
  keys: number | string | null;
  incarnation: number | string;
  /** Hand-off in progress, where known (each node reports its own). */
  handOff: HandOffState | null;
}

export interface HandOffState {
  /** Keys and estimated bytes it still has to send. */
  keysPending: number | string;
  bytesPending: number | string;
  /** Ring arcs it gained and is still being handed. */
  arcsArriving: number;
}

export interface StatusView {
  ringVersion: number | string;
  members: MemberView[];
  /** Why the answering node refuses writes now; null while it accepts them (or an older server). */
  writesRefused: string | null;
  /**
   * The answering node's replication backlog: ops sent or queued to each member it replicates to
   * and not yet acknowledged (empty from an older server).
   */
  replicationLag: Record<string, number | string>;
}

/**
 * The Healthcheck answer as members. The answering node comes first and is the only one whose
 * key count is always known; another member's count shows only when the server filled it in.
 * An older server sends no status (it is derived from `alive`) and no key counts.
 */
export function toStatusView(res: HealthcheckResponse__Output): StatusView {
  const members = res.peers.map((peer, i): MemberView => ({
    // Only the answering node reports its own hand-off; older servers send nothing.
    handOff:
      i === 0 && peer.status !== ''
        ? {
            keysPending: u64(peer.handoffKeysPending ?? ''),
            bytesPending: u64(peer.handoffBytesPending ?? ''),
            arcsArriving: peer.arcsArriving ?? 0,
          }
        : null,
    id: peer.nodeId,
    grpcAddr: peer.nodeAddr || null,
    internalAddr: peer.internalAddr || null,
    restAddr: peer.restAddr || null,
    status: peer.status || (peer.alive ? 'alive' : 'dead'),
    alive: peer.alive,
    keys: (i === 0 && peer.status !== '') || (peer.keys !== '' && peer.keys !== '0') ? u64(peer.keys) : null,
    incarnation: u64(peer.incarnation),
  }));
  const top = u64(res.ringVersion);
  const ringVersion = top === 0 && res.peers[0] !== undefined ? u64(res.peers[0].ringVersion) : top;
  const lag = Object.entries(res.peers[0]?.replicationLagOps ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const replicationLag = Object.fromEntries(lag.map(([id, ops]) => [id, u64(ops)]));
  return { ringVersion, members, writesRefused: res.peers[0]?.writesRefused || null, replicationLag };
}

/** `idle`, or what is left to send and how many arcs are still arriving; `-` when unknown. */
function handOffCell(h: HandOffState | null): string {
  if (h === null) return '-';
  const parts: string[] = [];
  if (h.keysPending !== 0) parts.push(`${h.keysPending} keys (${formatBytes(h.bytesPending)}) to send`);
  if (h.arcsArriving > 0) parts.push(`${h.arcsArriving} arcs arriving`);
  return parts.length === 0 ? 'idle' : parts.join(', ');
}

function formatBytes(bytes: number | string): string {
  const n = Number(bytes);
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** uint64 fields arrive as decimal strings; numbers while exact. */
function u64(text: string): number | string {
  if (text === '') return 0;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

export function statusJson(view: StatusView): JsonValue {
  return {
    ringVersion: view.ringVersion,
    writesRefused: view.writesRefused,
    replicationLag: { ...view.replicationLag },
    members: view.members.map((m) => ({ ...m, handOff: m.handOff === null ? null : { ...m.handOff } })),
  };
}

const COLUMNS = ['ID', 'GRPC ADDRESS', 'INTERNAL ADDRESS', 'STATUS', 'KEYS', 'HAND-OFF', 'INCARNATION'] as const;

/** A fixed-width table, the answering node first and marked with `*`. */
export function statusTable(view: StatusView): string {
  const rows = view.members.map((m, i) => [
    i === 0 ? `${m.id} *` : m.id,
    m.grpcAddr ?? '-',
    m.internalAddr ?? '-',
    m.status,
    m.keys === null ? '-' : String(m.keys),
    handOffCell(m.handOff),
    String(m.incarnation),
  ]);
  const table = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  const lines = table.map((row) =>
    row
      .map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  const count = view.members.length;
  const header = `ring version ${view.ringVersion}, ${count} member${count === 1 ? '' : 's'} (* = the node that answered)`;
  const self = view.members[0]?.id ?? 'this node';
  const refused = view.writesRefused === null ? '' : `writes refused by ${self}: ${view.writesRefused}\n`;
  // Only a backlog is news: every write is normally acknowledged within milliseconds.
  const behind = Object.entries(view.replicationLag).filter(([, ops]) => ops !== 0);
  const lag = behind.length === 0 ? '' : `not yet acknowledged by replicas of ${self}: ${behind.map(([id, ops]) => `${id} ${ops} ops`).join(', ')}\n`;
  return `${header}\n${lines.join('\n')}\n${refused}${lag}`;
}
