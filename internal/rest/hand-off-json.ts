import type { HandOffFigures } from './dashboard-deps.js';

/** A running hand-off as `GET /v1/cluster` shows it: the raw counts plus rate and ETA. */
export interface HandOffJson extends HandOffFigures {
  readonly member: string;
  /** Fraction done in [0, 1], by bytes when bytes are planned, else by keys. */
  readonly fraction: number;
  readonly keysPerSec: number;
  readonly bytesPerSec: number;
  /** Time left at the average rate so far; null until something was sent. */
  readonly etaMs: number | null;
}

/**
 * Rate and ETA from the counts and the elapsed time the sender measured itself (no clock
 * comparison between nodes). Bytes drive the fraction and ETA when planned: keys differ in size,
 * bytes are what the transfer spends its time on.
 */
export function handOffJson(member: string, h: HandOffFigures): HandOffJson {
  const seconds = h.elapsedMs / 1000;
  const byBytes = h.bytesPlanned > 0;
  const planned = byBytes ? h.bytesPlanned : h.keysPlanned;
  const sent = byBytes ? h.bytesSent : h.keysSent;
  const fraction = planned > 0 ? clamp01(sent / planned) : 0;
  const rate = seconds > 0 ? sent / seconds : 0;
  const etaMs = rate > 0 ? (Math.max(0, planned - sent) / rate) * 1000 : null;
  return {
    member,
    ...h,
    fraction,
    keysPerSec: seconds > 0 ? h.keysSent / seconds : 0,
    bytesPerSec: seconds > 0 ? h.bytesSent / seconds : 0,
    etaMs,
  };
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
