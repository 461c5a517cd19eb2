import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GokvNode } from '../internal/node/index.js';
import { fuzzCommandPath } from './fuzz/command-path.js';
import { fuzzServers, startFuzzNode } from './fuzz/server-frames.js';

// A slice of `npm run fuzz` (1M inputs) inside npm test: random and mutated commands on the
// command path, raw protobuf frames to the gRPC server and random bodies to REST. A fixed seed
// keeps CI reproducible; FUZZ_SEED explores others.

const seed = Number(process.env.FUZZ_SEED ?? 20261126);
let node: GokvNode | undefined;

beforeAll(async () => {
  node = await startFuzzNode();
});
afterAll(async () => {
  await node?.stop({ leave: false });
});

describe('fuzzing (fast-check)', () => {
  it('the command path answers every random command with a reply or a client error', async () => {
    const counts = await fuzzCommandPath({ sequences: 400, maxLength: 50, seed });
    console.log(`[fuzz] command path: ${JSON.stringify(counts)}`);
    expect(counts.commands).toBeGreaterThan(5_000);
    expect(counts.errors.LIMIT).toBeGreaterThan(0);
  }, 120_000);

  it('the servers survive raw frames and random bodies; oversize input is refused', async () => {
    const counts = await fuzzServers(node!, { frames: 800, bodies: 320, seed });
    console.log(`[fuzz] servers: ${JSON.stringify(counts)}`);
    expect(counts.oversizeRefused).toBe(20);
    expect(counts.tooManyArgsRefused).toBe(20);
    expect(counts.restStatuses['oversize:413']).toBe(1);
  }, 120_000);
});
