import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Shared by the tests and the bench: neither may import the other's helpers (vitest, workers).

/**
 * A free loopback port for a child process to bind later. Chosen below the kernel's ephemeral
 * range: a port the OS handed out with listen(0) may be taken by an outgoing connection (tests
 * open hundreds) before the child binds it, and the child then dies with EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  const below = ephemeralLow() - 10_000;
  if (below < 10_000) return bindCheck(0);
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 10_000 + Math.floor(Math.random() * below);
    try {
      return await bindCheck(candidate);
    } catch {
      // taken: try another
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
