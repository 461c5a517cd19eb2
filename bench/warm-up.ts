import { stream, unary } from './plan.js';
import type { LoadWorkers } from './runner.js';
import type { Target } from './targets.js';

/**
 * Runs every scenario at full speed for a moment, over StreamCommand and over RunCommand,
 * unmeasured, before the measured runs. A C=1 run sends a few hundred commands a second, too few
 * for V8 to optimise the code paths within its warm-up: measured cold, the three-node cluster
 * cost 2.8x more per write at C=1 than warm, and a warm-up over streams alone left the unary path
 * cold (2890 against 1330 us per write).
 */
export async function warmUp(workers: LoadWorkers, target: Target, quick: boolean): Promise<void> {
  const t = { warmupMs: quick ? 500 : 1500, measureMs: 200 };
  for (const scenario of ['hset', 'lpush-lpop', 'hget', 'mixed'] as const) {
    await workers.run(target, scenario, stream(4), t);
    await workers.run(target, scenario, unary(64), t);
  }
}

