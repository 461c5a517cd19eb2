import { Counter, Gauge, type Registry } from 'prom-client';

/** Reads a source, treating a throw as "no value this scrape" so one source cannot fail a scrape. */
export function safeRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * A counter whose value lives elsewhere (a store or gossip counter) and is copied in when the
 * registry is collected. The source must be cumulative; it is exported as read.
 */
export function pulledCounter(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = safeRead(read);
      this.reset();
      if (value !== undefined && Number.isFinite(value) && value > 0) this.inc(value);
    },
  });
}

/** A gauge set from a source at collection time. */
export function pulledGauge(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      const value = safeRead(read);
      this.reset();
      if (value !== undefined && Number.isFinite(value)) this.set(value);
    },
  });
}

/** A gauge with one label, rebuilt from a source at collection time (stale label values vanish). */
export function pulledLabelledGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  label: L,
  read: () => Iterable<readonly [string, number]> | undefined,
): void {
  new Gauge<L>({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      const rows = safeRead(() => [...(read() ?? [])]);
      this.reset();
      if (rows === undefined) return;
      for (const [value, n] of rows) this.set({ [label]: value } as Record<L, string>, n);
    },
  });
}

/** A counter with one label whose cumulative values live elsewhere, copied in at collection. */
export function pulledLabelledCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  label: L,
  read: () => Iterable<readonly [string, number]> | undefined,
): void {
  new Counter<L>({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      const rows = safeRead(() => [...(read() ?? [])]);
      this.reset();
      if (rows === undefined) return;
      for (const [value, n] of rows) if (Number.isFinite(n) && n > 0) this.inc({ [label]: value } as Record<L, string>, n);
    },
  });
}
