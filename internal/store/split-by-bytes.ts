/**
 * Cuts `items` into consecutive runs of at most `maxBytes` by `size`, in order: how a sender
 * keeps each gRPC message under `limits.max_message_bytes` (or a hand-off batch under
 * `rebalance.batch_bytes`). An item larger than `maxBytes` goes alone. When everything fits,
 * the one run is `items` itself (no copy).
 */
export function splitByBytes<T>(items: readonly T[], size: (item: T) => number, maxBytes: number): Array<{ items: readonly T[]; bytes: number }> {
  const out: Array<{ items: readonly T[]; bytes: number }> = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < items.length; i++) {
    const s = size(items[i]!);
    if (i > start && bytes + s > maxBytes) {
      out.push({ items: items.slice(start, i), bytes });
      start = i;
      bytes = 0;
    }
    bytes += s;
  }
  if (start < items.length) out.push({ items: start === 0 ? items : items.slice(start), bytes });
  return out;
}
