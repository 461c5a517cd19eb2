// Preloaded (`--import`) into every Node process the bench starts: gokv nodes, the bare server
// and the load workers. Two jobs, both inert unless the bench set them up:
// - with BENCH_ELU_FILE set, SIGUSR2 appends `performance.eventLoopUtilization()` (cumulative
//   idle/active ms) as a JSON line to that file, so the bench reads event-loop utilisation of a
//   process it does not control from outside (ELU cannot be read via /proc). The line also has
//   the p99 of the event-loop delay since the previous signal, measured the same way in every
//   process (gokv, and the bare servers, which have no /metrics), and the Forward and Replicate
//   messages the process has sent its peers (one per batch; peer-messages.ts), so the bench can
//   tell how many internal messages a cluster write costs;
// - with an IPC channel (fork), the process exits when the bench goes away, even on SIGKILL.
// Nothing in gokv imports this file; cmd/gokv/main.ts is unchanged.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { countPeerMessages } from './peer-messages.js';

/** The delay monitor's sampling interval; its readings include it, so it is taken off. */
const LOOP_RESOLUTION_MS = 10;

const eluFile = process.env.BENCH_ELU_FILE;
if (eluFile) {
  const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  delay.enable();
  const peerMessages = countPeerMessages().sent;
  process.on('SIGUSR2', () => {
    const { idle, active } = performance.eventLoopUtilization();
    const loopDelayP99Ms = delay.count > 0 ? Math.max(0, delay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) : null;
    delay.reset();
    appendFileSync(eluFile, `${JSON.stringify({ idle, active, loopDelayP99Ms, peerMessages })}\n`);
  });
}

if (process.channel) {
  process.on('disconnect', () => process.exit(0));
  // The watch must not keep a node alive by itself (a worker re-refs it to wait for messages).
  process.channel.unref();
}
