/**
 * The share of V8's heap limit that memory.max_memory may take. The store's estimate runs up to
 * about 1.3x below the heap its data really holds (scripts/memory-shapes.ts: one-byte APPENDs,
 * keys with a TTL at 1.2x), and the rest of the process (code, sockets, replies, batches) needs
 * room too: at 2/3, data at 1.3x its estimate fills 87% of the limit.
 */
export const MAX_MEMORY_HEAP_SHARE = 2 / 3;

const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);

/**
 * Why memory.max_memory is unsafe under V8's heap limit (`heapLimitBytes`, v8's
 * heap_size_limit), or undefined when it is not. Past the limit V8 aborts the process ("heap
 * out of memory") whatever the store's estimate says, so eviction would never start. 0
 * (unlimited) is the operator's explicit choice, as in Redis.
 */
export function maxMemoryOverHeapLimit(maxMemoryBytes: number, heapLimitBytes: number): string | undefined {
  if (maxMemoryBytes <= 0 || maxMemoryBytes <= heapLimitBytes * MAX_MEMORY_HEAP_SHARE) return undefined;
  const needMb = Math.ceil(mb(maxMemoryBytes) / MAX_MEMORY_HEAP_SHARE);
  return (
    `memory.max_memory (${mb(maxMemoryBytes)} MB) is over 2/3 of the V8 heap limit (${mb(heapLimitBytes)} MB): ` +
    `the process may run out of heap before eviction starts; lower max_memory or raise the limit ` +
    `(NODE_OPTIONS=--max-old-space-size=${needMb})`
  );
}
