// Preloaded (`--import`) into every Node process the bench starts: gokv nodes, the bare server
// and the load workers. Two jobs, both inert unless the bench set them up:
// - with BENCH_ELU_FILE set, SIGUSR2 appends `performance.eventLoopUtilization()` (cumulative
//   idle/active ms) as a JSON line to that file, so the bench reads event-loop utilisation of a
//   process it does not control from outside (ELU cannot be read via /proc);
// - with an IPC channel (fork), the process exits when the bench goes away, even on SIGKILL.
// Nothing in gokv imports this file; cmd/gokv/main.ts is unchanged.
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const eluFile = process.env.BENCH_ELU_FILE;
if (eluFile) {
  process.on('SIGUSR2', () => {
    const { idle, active } = performance.eventLoopUtilization();
    appendFileSync(eluFile, `${JSON.stringify({ idle, active })}\n`);
  });
}

if (process.channel) {
  process.on('disconnect', () => process.exit(0));
  // The watch must not keep a node alive by itself (a worker re-refs it to wait for messages).
  process.channel.unref();
}
