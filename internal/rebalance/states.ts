import { GokvError } from '../errors/index.js';
import {
  buildsInTurns,
  compareAtEqualVersion,
  entryOfInTurns,
  isEntryType,
  splitByBytes,
  stateWireBytes,
  type BinStr,
  type KeyState,
  type Store,
  type StoredEntry,
} from '../store/index.js';
import type { HandOffState, KeyDigest } from './sink.js';

/** A store state as it goes on the wire. */
export function toWire(key: BinStr, state: KeyState): HandOffState {
  if (state.deleted === true) {
    return { key, type: '', value: [], expireAtMs: 0, version: state.version, deleted: true };
  }
  const { type, value, expireAtMs, version } = state;
  return { key, type, value, expireAtMs, version, deleted: false };
}

/** A wire state as the store merges it; a malformed type from a peer is an internal error. */
export function fromWire(msg: HandOffState): KeyState {
  if (msg.deleted) return { deleted: true, version: msg.version };
  if (!isEntryType(msg.type)) {
    throw new GokvError('INTERNAL', `INTERNAL malformed hand-off state of type '${msg.type}'`);
  }
  return { type: msg.type, value: msg.value, expireAtMs: msg.expireAtMs, version: msg.version };
}

/**
 * Estimated bytes of a state on the wire, from above (key and values plus more than protobuf's
 * framing), so that batches cut by it fit the messages they are cut for.
 */
export function estimateBytes(msg: HandOffState): number {
  return stateWireBytes(msg.key, msg.value);
}

/**
 * Splits states into batches of at most `maxBytes` estimated bytes each, in order; a state larger
 * than `maxBytes` travels alone. Returns the batches with their byte estimates.
 */
export function splitBatches(
  states: readonly HandOffState[],
  maxBytes: number,
): { states: readonly HandOffState[]; bytes: number }[] {
  return splitByBytes(states, estimateBytes, maxBytes).map((run) => ({ states: run.items, bytes: run.bytes }));
}

/**
 * Receiver side: merges every state by version; returns how many were applied. `built` holds
 * entries built beforehand for some of them (buildLarge), by index.
 */
export function mergeStates(store: Store, states: readonly HandOffState[], built: ReadonlyArray<StoredEntry | undefined> = []): { applied: number } {
  const parsed = states.map(fromWire); // validate the whole batch before merging any of it
  let applied = 0;
  parsed.forEach((state, i) => {
    if (store.mergeKey(states[i]!.key, state, false, built[i])) applied++;
  });
  return { applied };
}

/**
 * The entries of the large hashes among `states` (by index), each built over several turns
 * (entryOfInTurns, awaiting `pause` between parts), so that one key of a million fields does not
 * hold the loop while its Map is built. Detached: mergeStates decides by versions as they are
 * when it runs. A malformed state throws before anything is built.
 */
export async function buildLarge(states: readonly HandOffState[], pause: () => Promise<void>): Promise<Array<StoredEntry | undefined>> {
  const parsed = states.map(fromWire);
  const built: Array<StoredEntry | undefined> = [];
  for (let i = 0; i < parsed.length; i++) {
    const state = parsed[i]!;
    if (buildsInTurns(state)) built[i] = await entryOfInTurns(states[i]!.key, state, pause);
  }
  return built;
}

/** buildLarge, then mergeStates: every state merged in the last turn. */
export async function mergeStatesInTurns(store: Store, states: readonly HandOffState[], pause: () => Promise<void>): Promise<{ applied: number }> {
  const built = await buildLarge(states, pause);
  return mergeStates(store, states, built);
}

/**
 * The state of one key a merge keeps of two (either may be absent): the higher version, and at
 * equal versions the one every node's merge keeps (Store.mergeKey), so an answer made of it
 * leaves the asker where merging both would.
 */
export function newestState(a: HandOffState | undefined, b: HandOffState | undefined): HandOffState | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  if (a.version !== b.version) return a.version > b.version ? a : b;
  return compareAtEqualVersion(fromWire(b), fromWire(a)) > 0 ? b : a;
}

/** Receiver side: the digests' keys held here at a lower version (0 = not at all). */
export function missingKeys(store: Store, digests: readonly KeyDigest[]): BinStr[] {
  const out: BinStr[] = [];
  for (const d of digests) if (store.versionOf(d.key) < d.version) out.push(d.key);
  return out;
}
