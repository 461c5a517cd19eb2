import { expect, vi } from 'vitest';
import type { CheckReport } from '../helpers/checker.js';
import type { Workers } from '../helpers/ledger.js';
import type { ReplicaReport } from '../helpers/replicas.js';

// What every fault scenario prints: writes acknowledged and lost, time to detect the fault and
// time to recover from it (writes flowing again, replicas converged), all from the fault's start.

export interface Figures {
  scenario: string;
  acked: number;
  unknown: number;
  lost: number;
  /** Fault start -> every surviving node's view shows it (a death, a new incarnation...). */
  detectMs?: number;
  /** Fault start -> the last failed write (0: none failed). */
  writesOkMs?: number;
  /** Fault start -> the fault over and one view again (every live node sees the same members alive). */
  recoverMs?: number;
  /** Writers stopped -> every key on replicas + 1 nodes with identical copies. */
  convergedMs?: number;
  staleReads: number;
  reads: number;
}

const fmt = (ms: number | undefined) => (ms === undefined ? '-' : `${Math.round(ms)} ms`);

export function printFigures(f: Figures): void {
  console.log(
    `[faults] ${f.scenario}: writes acked ${f.acked}, unknown ${f.unknown}, lost ${f.lost}; ` +
      `detect ${fmt(f.detectMs)}, writes ok after ${fmt(f.writesOkMs)}, recover ${fmt(f.recoverMs)}; ` +
      `replicas identical ${fmt(f.convergedMs)} after the writers stopped; ` +
      `reads ${f.reads} (stale ${f.staleReads})`,
  );
}

/** The checker's and the replica comparison's verdicts as assertions (after printing them). */
export function expectClean(report: CheckReport, replicas?: ReplicaReport): void {
  expect(report.lost).toEqual([]);
  expect(report.duplicated).toEqual([]);
  expect(report.badReads).toEqual([]);
  if (replicas) {
    expect(replicas.wrongCopies.slice(0, 5)).toEqual([]);
    expect(replicas.divergent.slice(0, 5)).toEqual([]);
  }
}

/** Waits until the workers completed `more` further operations. */
export async function progress(workers: Workers, more: number, timeoutMs = 60_000): Promise<void> {
  const target = workers.writes() + more;
  await vi.waitFor(() => expect(workers.writes()).toBeGreaterThanOrEqual(target), { timeout: timeoutMs, interval: 20 });
}
