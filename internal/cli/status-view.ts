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
}

export interface StatusView {
  ringVersion: number | string;
  members: MemberView[];
}

/**
 * The Healthcheck answer as members. The answering node comes first and is the only one whose
 * key count is always known; another member's count shows only when the server filled it in.
 * An older server sends no status (it is derived from `alive`) and no key counts.
 */
export function toStatusView(res: HealthcheckResponse__Output): StatusView {
  const members = res.peers.map((peer, i): MemberView => ({
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
  return { ringVersion, members };
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
    members: view.members.map((m) => ({ ...m })),
  };
}

const COLUMNS = ['ID', 'GRPC ADDRESS', 'INTERNAL ADDRESS', 'STATUS', 'KEYS', 'INCARNATION'] as const;

/** A fixed-width table, the answering node first and marked with `*`. */
export function statusTable(view: StatusView): string {
  const rows = view.members.map((m, i) => [
    i === 0 ? `${m.id} *` : m.id,
    m.grpcAddr ?? '-',
    m.internalAddr ?? '-',
    m.status,
    m.keys === null ? '-' : String(m.keys),
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
  return `${header}\n${lines.join('\n')}\n`;
}
