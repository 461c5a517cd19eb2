// What the load workers send: the scenarios' requests (16 B field, 32 B value, 100k keys) and
// the run specifications the coordinator hands to workers over IPC.
import type { CommandRequest } from '../internal/gen/commonpb/CommandRequest.js';

export const SCENARIOS = ['hset', 'hget', 'lpush-lpop', 'mixed'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Keys are `key:` + 12 digits (16 B), the form `redis-benchmark -r` produces with `key:__rand_int__`. */
export const KEY_COUNT = 100_000;
/** Every hash has this one 16 B field. */
export const FIELD = 'field:0000000000';
/** 32 B values: the preload's. */
export const VALUE = 'v'.repeat(32);
/**
 * HSETs in the runs write one of 1024 distinct 32 B values, picked at random per request, so
 * nearly every HSET changes its field. gokv treats an HSET that leaves the value as it was as a
 * read (nothing to commit or replicate), so a constant value would measure mostly no-op writes.
 */
export const VALUE_VARIANTS = 1024;
export const valueVariant = (i: number): string => `value:${String(i).padStart(26, '0')}`;

/**
 * The seed of worker `worker`'s share of run number `run`. Seeds differ per run: a run that
 * replayed an earlier run's keys and values would find every HSET's value already in place, and
 * gokv does not commit or replicate such a no-op.
 */
export const runSeed = (run: number, worker: number): number => 1 + worker * 104729 + run * 1_000_003;

export const keyName = (i: number): string => `key:${String(i).padStart(12, '0')}`;
/** List keys live apart from the hashes (a list op on a hash key would be WRONGTYPE). */
const listKeyName = (i: number): string => `lst:${String(i).padStart(12, '0')}`;

/** How requests are issued. */
export type LoadMode =
  | { readonly kind: 'unary'; readonly inFlight: number }
  | { readonly kind: 'stream'; readonly streams: number; readonly window: number }
  /** Open loop at a fixed rate over RunCommand; latency counted from the scheduled send time. */
  | { readonly kind: 'rate'; readonly opsPerSec: number; readonly maxInFlight: number };

export function modeLabel(mode: LoadMode): string {
  if (mode.kind === 'unary') return `Run C=${mode.inFlight}`;
  if (mode.kind === 'stream') return `Stream ${mode.streams}x${mode.window}`;
  return `Run @${Math.round(mode.opsPerSec)}/s`;
}

/** One worker's share of a run, in wall-clock ms (all processes share the clock). */
export interface WorkerRun {
  readonly type: 'run';
  readonly addresses: readonly string[];
  readonly scenario: Scenario;
  readonly mode: LoadMode;
  /** Index of this worker's first stream or slot, so streams spread over the addresses. */
  readonly offset: number;
  readonly t0: number;
  readonly t1: number;
  readonly seed: number;
  /** Keys drawn from: the first `keys` of the key table (KEY_COUNT unless `--keys`). */
  readonly keys: number;
}

export interface WorkerPreload {
  readonly type: 'preload';
  readonly addresses: readonly string[];
  readonly from: number;
  readonly to: number;
}

export type WorkerMessage = WorkerRun | WorkerPreload;

export interface WorkerResult {
  readonly type: 'result';
  readonly ops: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly hist: Array<[number, number]>;
}

const field = Buffer.from(FIELD);
const value = Buffer.from(VALUE);
const HSET_ARGS = [field, value];
const HSET_VARIANT_ARGS = Array.from({ length: VALUE_VARIANTS }, (_, i) => [field, Buffer.from(valueVariant(i))]);
const HGET_ARGS = [field];
const PUSH_ARGS = [value];
const NO_ARGS: Buffer[] = [];

/**
 * Makes requests for one in-flight slot or stream: random keys from a seeded xorshift; for
 * lpush-lpop each slot pops the key it pushed last, so lists stay short and pops find values.
 */
export function requestSource(scenario: Scenario, seed: number, keyCount = KEY_COUNT): () => CommandRequest {
  let x = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const keys = scenario === 'lpush-lpop' ? listKeyTable(keyCount) : keyTable(keyCount);
  let pushed: string | undefined;
  return () => {
    const r = next();
    const key = keys[r % keyCount]!;
    switch (scenario) {
      // The value from the high bits: nearly independent of the key (r % keyCount).
      case 'hset':
        return { command: 'HSET', key, args: HSET_VARIANT_ARGS[r >>> 22]! };
      case 'hget':
        return { command: 'HGET', key, args: HGET_ARGS };
      case 'mixed':
        return (r >>> 20) % 10 < 8 ? { command: 'HGET', key, args: HGET_ARGS } : { command: 'HSET', key, args: HSET_VARIANT_ARGS[next() >>> 22]! };
      case 'lpush-lpop':
        if (pushed !== undefined) {
          const pop = { command: 'LPOP', key: pushed, args: NO_ARGS };
          pushed = undefined;
          return pop;
        }
        pushed = key;
        return { command: 'LPUSH', key: pushed, args: PUSH_ARGS };
    }
  };
}

let table: string[] = [];
let listTable: string[] = [];
/** At least the first `n` key names (built once per process, grown when a run wants more). */
function keyTable(n: number): string[] {
  if (table.length < n) table = Array.from({ length: n }, (_, i) => keyName(i));
  return table;
}
function listKeyTable(n: number): string[] {
  if (listTable.length < n) listTable = Array.from({ length: n }, (_, i) => listKeyName(i));
  return listTable;
}

/** HSET of keys [from, to): the preload that HGET and mixed read. */
export function preloadRequest(i: number): CommandRequest {
  return { command: 'HSET', key: keyName(i), args: HSET_ARGS };
}
