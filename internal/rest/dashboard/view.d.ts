// Types of view.js (plain JavaScript, served to the browser as is), for the TypeScript tests.

export interface RingJson {
  version: number;
  vnodeCount: number;
  replicas: number;
  members: Array<{ id: string; share: number; vnodes: number[] }>;
}

export interface ExplainJson {
  key: string;
  position: number;
  ringVersion: number;
  node: string;
  leader: string | null;
  replicas: string[];
  statuses: Record<string, string>;
  type: string | null;
  ttlMs: number | null;
  role: 'leader' | 'replica' | 'none';
  holdsCopy: number;
  error?: string;
}

export interface HandOffJson {
  member: string;
  keysPlanned: number;
  keysSent: number;
  bytesPlanned: number;
  bytesSent: number;
  elapsedMs: number;
  fraction: number;
  keysPerSec: number;
  bytesPerSec: number;
  etaMs: number | null;
}

export const HASH_SPACE: number;
export const PALETTE: readonly string[];
export function memberColours(ids: Iterable<string>): Map<string, string>;
export function orderMembers<M extends { id: string }>(members: readonly M[]): M[];
export function statusInfo(status: string): { symbol: string; label: string };
export function formatBytes(bytes: number): string;
export function formatCount(n: number): string;
export function formatDuration(ms: number): string;
export function formatTtl(ttlMs: number | null | undefined): string;
export function formatLatency(ms: number | null | undefined): string;
export function formatRate(perSec: number): string;
export function memoryUse(usedBytes: number, maxBytes: number, tombstoneBytes?: number): { fraction: number | null; text: string };
export function leaderArcs(ring: RingJson): Array<{ member: string; from: number; to: number }>;
export function shareWedges(ring: RingJson): Array<{ member: string; share: number; from: number; to: number; mid: number }>;
export function polar(cx: number, cy: number, r: number, fraction: number): { x: number; y: number };
export function annularSector(cx: number, cy: number, r0: number, r1: number, f0: number, f1: number): string;
export function handOffText(h: HandOffJson): string;
export function explainRows(e: ExplainJson): Array<{ term: string; detail: string }>;
