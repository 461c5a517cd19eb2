// npm run fuzz [-- --commands N --frames N --bodies N --seed S]: the property-based fuzz run
// (fast-check). Defaults: 1,000,000 commands on the command path (executeCommand and the
// Router), 50,000 raw protobuf frames sent both as RunCommand and on StreamCommand, 10,000 REST
// bodies. Prints the counts; exits non-zero with fast-check's shrunk counterexample on a failure.
import { parseArgs } from 'node:util';
import { fuzzCommandPath } from '../test/fuzz/command-path.js';
import { fuzzServers, startFuzzNode } from '../test/fuzz/server-frames.js';

const { values } = parseArgs({
  options: {
    commands: { type: 'string', default: '1000000' },
    frames: { type: 'string', default: '50000' },
    bodies: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
  },
});
const seed = Number(values.seed);
const SEQUENCE = 100; // commands per sequence at most (50 on average)

console.log(`fuzz seed ${seed} (replay with --seed ${seed})`);
let started = Date.now();
// Sequences average a little under SEQUENCE / 2 commands: 5 % more of them reach the target.
const commands = await fuzzCommandPath({ sequences: Math.ceil((1.05 * Number(values.commands)) / (SEQUENCE / 2)), maxLength: SEQUENCE, seed });
console.log(`command path: ${JSON.stringify(commands)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

started = Date.now();
const node = await startFuzzNode();
try {
  const servers = await fuzzServers(node, { frames: Number(values.frames), bodies: Number(values.bodies), seed });
  console.log(`servers: ${JSON.stringify(servers)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const total = commands.commands + servers.unaryFrames + servers.streamFrames + servers.restBodies;
  console.log(`total inputs: ${total} (commands ${commands.commands}, frames ${servers.unaryFrames + servers.streamFrames}, REST bodies ${servers.restBodies}); no crash, no hang, no INTERNAL`);
} finally {
  await node.stop({ leave: false });
}
