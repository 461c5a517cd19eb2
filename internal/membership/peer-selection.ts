import type { Random } from '../clock/index.js';
import { isInRing } from './member.js';
import type { MemberTable } from './member-table.js';
import type { Seed } from './transport.js';

/** Who a round talks to. */
export interface TargetChoice {
  /** Internal addresses, each once. */
  readonly addrs: string[];
  /** True when no other member is alive here: every seed is contacted (join, or rejoin). */
  readonly joining: boolean;
}

/**
 * Picks a round's targets: `peerCount` random alive/suspect members; when we know no other live
 * member, every seed (a joiner retries its seeds each round until one answers); and when `probe`
 * is set, one random dead member or seed that is not already live, so both sides of a healed
 * partition find each other again. Left members are never contacted.
 */
export function pickTargets(
  table: MemberTable,
  seeds: readonly Seed[],
  peerCount: number,
  probe: boolean,
  random: Random,
): TargetChoice {
  const selfId = table.selfId;
  const selfAddr = table.selfEntry.internalAddr;
  const seedAddrs = new Set<string>();
  for (const seed of seeds) if (seed.addr !== selfAddr && seed.id !== selfId) seedAddrs.add(seed.addr);

  const live: string[] = [];
  const dead: string[] = [];
  for (const { entry: member } of table.values()) {
    if (member.id === selfId) continue;
    if (isInRing(member.status)) {
      live.push(member.internalAddr);
      seedAddrs.delete(member.internalAddr);
    } else if (member.status === 'dead') {
      dead.push(member.internalAddr);
    }
  }

  const addrs = new Set(shuffleFront(live, peerCount, random));
  const joining = live.length === 0;
  if (joining) for (const addr of seedAddrs) addrs.add(addr);
  if (probe) {
    const pool = joining ? dead : [...dead, ...seedAddrs];
    const pick = pool.length > 0 ? pool[random.int(pool.length)] : undefined;
    if (pick !== undefined) addrs.add(pick);
  }
  return { addrs: [...addrs], joining };
}

/** The first `count` items of a partial Fisher-Yates shuffle, in place (`items` is ours). */
function shuffleFront(items: string[], count: number, random: Random): string[] {
  const n = Math.min(count, items.length);
  for (let i = 0; i < n; i++) {
    const j = i + random.int(items.length - i);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items.slice(0, n);
}
