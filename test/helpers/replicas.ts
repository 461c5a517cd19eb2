import * as grpc from '@grpc/grpc-js';
import { vi } from 'vitest';
import type { GokvNode } from '../../internal/node/index.js';
import { keyDigest, type KeyDigestView } from '../../internal/store/index.js';
import { loadProtos } from '../../internal/wire/index.js';
import type { InternalServerClient } from '../../internal/gen/internalpb/InternalServer.js';
import type { KeyDigestEntry__Output } from '../../internal/gen/internalpb/KeyDigestEntry.js';

// Per-key copies on each node, read from each node's own store (never routed), to check that
// every key ends on replicas + 1 nodes with identical copies.

/** One node's local view of keys (binary-string keys, as the store holds them). */
export interface DigestSource {
  readonly id: string;
  digests(keys: readonly string[]): Promise<KeyDigestView[]>;
  close?(): void;
}

/** An in-process node: its store, read directly. */
export function storeSource(node: GokvNode): DigestSource {
  return { id: node.id, digests: async (keys) => keys.map((k) => keyDigest(node.store, k)) };
}

/** A node process: the internal KeyDigests RPC on its internal (cluster) address. */
export function rpcSource(id: string, internalAddr: string): DigestSource {
  const { internal } = loadProtos();
  const client: InternalServerClient = new internal.internalpb.InternalServer(internalAddr, grpc.credentials.createInsecure());
  const call = (keys: readonly string[]) =>
    new Promise<KeyDigestEntry__Output[]>((resolve, reject) => {
      const req = { keys: keys.map((k) => Buffer.from(k, 'latin1')) };
      client.KeyDigests(req, { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res!.entries)));
    });
  return {
    id,
    async digests(keys) {
      const out: KeyDigestView[] = [];
      for (let i = 0; i < keys.length; i += 2000) {
        for (const e of await call(keys.slice(i, i + 2000))) {
          out.push({ key: e.key.toString('latin1'), exists: e.exists, version: e.version, type: e.type, expireAtMs: e.expireAtMs, digest: e.digest });
        }
      }
      return out;
    },
    close: () => client.close(),
  };
}

export interface ReplicaReport {
  keys: number;
  /** Keys held by some nodes but not by exactly `copies`: `key: holders` (held nowhere is the checker's business). */
  wrongCopies: string[];
  /** Keys whose copies differ (version, expiry or value). */
  divergent: string[];
}

/** Compares, key by key, the copies the given nodes hold. */
export async function compareReplicas(sources: readonly DigestSource[], keys: readonly string[], copies: number): Promise<ReplicaReport> {
  const views = await Promise.all(sources.map((s) => s.digests(keys)));
  const report: ReplicaReport = { keys: keys.length, wrongCopies: [], divergent: [] };
  keys.forEach((key, i) => {
    const held = views.map((v, n) => ({ id: sources[n]!.id, d: v[i]! })).filter((x) => x.d.exists);
    if (held.length !== copies && held.length > 0) report.wrongCopies.push(`${key}: on ${held.map((x) => x.id).join(',') || 'none'}`);
    const distinct = new Set(held.map((x) => `${x.d.version}/${x.d.expireAtMs}/${x.d.digest}`));
    if (distinct.size > 1) report.divergent.push(`${key}: ${held.map((x) => `${x.id}@${x.d.version}`).join(' ')}`);
  });
  return report;
}

/** Waits until every key is on exactly `copies` nodes with identical copies; the last report. */
export async function waitForReplicas(
  sources: readonly DigestSource[],
  keys: readonly string[],
  copies: number,
  timeoutMs = 20_000,
): Promise<ReplicaReport> {
  let last: ReplicaReport | undefined;
  try {
    await vi.waitFor(
      async () => {
        last = await compareReplicas(sources, keys, copies);
        if (last.wrongCopies.length + last.divergent.length > 0) throw new Error('replicas not converged');
      },
      { timeout: timeoutMs, interval: 200 },
    );
  } catch {
    // The caller asserts on the report.
  }
  return last!;
}
