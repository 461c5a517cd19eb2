import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Shared by the tests and the bench: neither may import the other's helpers (vitest, workers).

/** Test processes that may pick ports at once (vitest workers): each gets its own slice. */
const SLICES = 16;
const LOWEST = 10_000;

let next: number | undefined;

/**
 * A free loopback port for a child process to bind later. Chosen below the kernel's ephemeral
 * range: a port the OS handed out with listen(0) may be taken by an outgoing connection (tests
 * open hundreds) before the child binds it, and the child then dies with EADDRINUSE.
 *
 * Ports are handed out in turn from this process's slice of that range (by vitest worker), so
 * one process never hands out a port twice until it has gone round its slice, and two workers
 * never pick the same one. Picking at random instead let one cluster's nodes get the same port
 * about once in 1500 three-node clusters ("listed twice with other ids", seen in crash.test.ts).
 */
export async function freePort(): Promise<number> {
  const span = Math.floor((ephemeralLow() - LOWEST) / SLICES);
  if (span < 100) return bindCheck(0);
  const slice = (Number(process.env.VITEST_POOL_ID) || process.pid) % SLICES;
  const base = LOWEST + slice * span;
  next ??= Math.floor(Math.random() * span); // a rerun does not start where the last one did
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = base + (next++ % span);
    try {
      return await bindCheck(candidate);
    } catch {
      // taken: try the next one
    }
  }
  return bindCheck(0);
}

/** The first port the kernel hands out for outgoing connections. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (low > 0) return low;
  } catch {
    // not Linux: fall through
  }
  return 49152;
}

/** Binds `port` on loopback (0 = any) and releases it; resolves with the port bound. */
function bindCheck(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const bound = (srv.address() as { port: number }).port;
      srv.close(() => resolve(bound));
    });
  });
}
