import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { testConfig } from '../config/index.js';
import { createLogger } from '../log/index.js';
import { unresolvedAdvertised, type Resolve } from './advertise-check.js';
import { startNode } from './create-node.js';

const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });

function recordingResolve(outcomes: Record<string, 'ok' | 'fail' | 'hang'>): { resolve: Resolve; asked: string[] } {
  const asked: string[] = [];
  const resolve: Resolve = (host) => {
    asked.push(host);
    const outcome = outcomes[host] ?? 'fail';
    if (outcome === 'ok') return Promise.resolve({ address: '10.0.0.1' });
    if (outcome === 'fail') return Promise.reject(notFound);
    return new Promise(() => undefined);
  };
  return { resolve, asked };
}

describe('unresolvedAdvertised', () => {
  it('looks up host names only, never IP addresses or an unset listener', async () => {
    const { resolve, asked } = recordingResolve({ gokv1: 'ok' });
    const addresses = { clusterAdvertise: 'gokv1:7946', grpcAdvertise: '[::1]:50051', restAdvertise: null };
    expect(await unresolvedAdvertised(addresses, resolve)).toEqual([]);
    expect(asked).toEqual(['gokv1']);
  });

  it('names the variable, the host and who cannot dial it', async () => {
    const { resolve } = recordingResolve({ 'db.example': 'ok' });
    const addresses = { clusterAdvertise: 'gokv-typo:7946', grpcAdvertise: 'db.example:50051', restAdvertise: 'web-typo:8080' };
    expect(await unresolvedAdvertised(addresses, resolve)).toEqual([
      "GOKV_CLUSTER_ADVERTISE_ADDR: the host 'gokv-typo' does not resolve here (ENOTFOUND); peers told to dial gokv-typo:7946 may not reach this node",
      "GOKV_EXTERNAL_REST_ADVERTISE_ADDR: the host 'web-typo' does not resolve here (ENOTFOUND); clients told to dial web-typo:8080 may not reach this node",
    ]);
  });

  it('looks each host up once, one at a time', async () => {
    let pending = 0;
    let most = 0;
    const asked: string[] = [];
    const resolve: Resolve = async (host) => {
      asked.push(host);
      most = Math.max(most, ++pending);
      await new Promise((settle) => setTimeout(settle, 5));
      pending--;
      if (host === 'b') throw notFound;
    };
    const warnings = await unresolvedAdvertised({ clusterAdvertise: 'a:7946', grpcAdvertise: 'b:50051', restAdvertise: 'b:8080' }, resolve);
    expect(asked).toEqual(['a', 'b']);
    expect(most).toBe(1);
    expect(warnings).toHaveLength(2);
  });

  it('gives up on a lookup that never answers, and checks no further host', async () => {
    const { resolve, asked } = recordingResolve({ slow: 'hang' });
    const addresses = { clusterAdvertise: 'slow:7946', grpcAdvertise: 'other:50051', restAdvertise: null };
    expect(await unresolvedAdvertised(addresses, resolve, 20)).toEqual([
      "GOKV_CLUSTER_ADVERTISE_ADDR: the host 'slow' does not resolve here (no answer in 0.02 s); peers told to dial slow:7946 may not reach this node",
    ]);
    expect(asked).toEqual(['slow']);
  });

  it('resolves localhost with the system resolver', async () => {
    expect(await unresolvedAdvertised({ clusterAdvertise: 'localhost:7946', grpcAdvertise: null, restAdvertise: null })).toEqual([]);
  });
});

describe('a node advertising a host that does not resolve', () => {
  it('starts, and warns once it has looked the host up', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    // RFC 6761: names under .invalid never resolve.
    const config = testConfig({ addresses: { grpcAdvertise: 'gokv-nowhere.invalid:50051' } });
    const node = await startNode(config, { log: createLogger({ level: 'info', destination: out }) });
    try {
      await vi.waitFor(() => expect(text).toContain("GOKV_EXTERNAL_GRPC_ADVERTISE_ADDR: the host 'gokv-nowhere.invalid' does not resolve here"), {
        timeout: 10_000,
        interval: 50,
      });
      expect(text).not.toContain('GOKV_CLUSTER_ADVERTISE_ADDR: the host');
    } finally {
      await node.stop({ leave: false });
    }
  });
});
