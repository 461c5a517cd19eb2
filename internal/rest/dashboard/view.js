// The dashboard's pure part: formatting and ring geometry, no DOM and no fetch, so it is unit-tested
// in Node (internal/rest/dashboard-view.test.ts) and app.js only puts the results on the page.
// Types: view.d.ts beside this file.

export const HASH_SPACE = 2 ** 32;

/** Okabe-Ito colours (told apart with most colour-vision deficiencies); text always goes with them. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#8C6D1F', '#5D5D5D'];

/** A colour per member, by sorted id, so every node's page colours a member alike. */
export function memberColours(ids) {
  const sorted = [...new Set(ids)].sort();
  return new Map(sorted.map((id, i) => [id, PALETTE[i % PALETTE.length]]));
}

/** Members by id, so the table reads the same on every node's page (the API lists the answering node first). */
export function orderMembers(members) {
  return [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const STATUS = {
  alive: { symbol: '●', label: 'alive' },
  suspect: { symbol: '▲', label: 'suspect' },
  dead: { symbol: '✕', label: 'dead' },
  left: { symbol: '○', label: 'left' },
};

/** A status as a symbol and a word (never colour alone). */
export function statusInfo(status) {
  return STATUS[status] ?? { symbol: '?', label: String(status) };
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatCount(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

/** A duration for people: `850 ms`, `42 s`, `5 min 3 s`, `2 h 5 min`, `3 d 4 h`. */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** EXPLAIN's ttlMs: -2 missing, -1 no expiry, else the time left; null when unknown. */
export function formatTtl(ttlMs) {
  if (ttlMs === null || ttlMs === undefined) return 'unknown';
  if (ttlMs === -2) return 'none (the key does not exist)';
  if (ttlMs === -1) return 'no expiry';
  return formatDuration(ttlMs);
}

/** Two significant digits below 10 ms (`0.42 ms`, `4.2 ms`), whole ms above. */
export function formatLatency(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 10) return `${ms.toPrecision(2)} ms`;
  return `${Math.round(ms)} ms`;
}

export function formatRate(perSec) {
  if (!Number.isFinite(perSec)) return '–';
  return perSec < 10 ? perSec.toFixed(1) : formatCount(perSec);
}

/**
 * Memory used against memory.max_memory (0 = no limit): the bar's fraction and its words. The
 * used bytes include the tombstones' (deletions remembered), named when there are any.
 */
export function memoryUse(usedBytes, maxBytes, tombstoneBytes = 0) {
  const tombstones = tombstoneBytes > 0 ? `, ${formatBytes(tombstoneBytes)} of it tombstones` : '';
  if (!(maxBytes > 0)) return { fraction: null, text: `${formatBytes(usedBytes)} (no limit)${tombstones}` };
  const fraction = Math.min(1, usedBytes / maxBytes);
  return { fraction, text: `${formatBytes(usedBytes)} of ${formatBytes(maxBytes)} (${Math.round(fraction * 100)}%)${tombstones}` };
}

/**
 * The arcs each member leads, from the vnodes of a `GET /v1/ring` answer: vnode j leads
 * (previous vnode, its own position], vnode 0 also the wrap past 2^32; adjacent arcs of one
 * member are merged. Arcs are `{ member, from, to }` in positions, ascending, covering [0, 2^32).
 * Ties at one position go to the smaller member id, as the ring orders them.
 */
export function leaderArcs(ring) {
  const points = [];
  for (const m of ring.members) for (const p of m.vnodes) points.push([p, m.id]);
  if (points.length === 0) return [];
  points.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const arcs = [];
  const add = (member, from, to) => {
    if (to <= from) return;
    const last = arcs[arcs.length - 1];
    if (last && last.member === member && last.to === from) last.to = to;
    else arcs.push({ member, from, to });
  };
  const first = points[0][1];
  add(first, 0, points[0][0] + 1);
  for (let j = 1; j < points.length; j++) add(points[j][1], points[j - 1][0] + 1, points[j][0] + 1);
  add(first, points[points.length - 1][0] + 1, HASH_SPACE);
  return arcs;
}

/** Each member's total share as one wedge, in member order: `{ member, share, from, to, mid }` as fractions. */
export function shareWedges(ring) {
  let at = 0;
  return ring.members.map((m) => {
    const wedge = { member: m.id, share: m.share, from: at, to: at + m.share, mid: at + m.share / 2 };
    at += m.share;
    return wedge;
  });
}

/** A point at `fraction` of a turn, clockwise from 12 o'clock. */
export function polar(cx, cy, r, fraction) {
  const angle = fraction * 2 * Math.PI - Math.PI / 2;
  return { x: round(cx + r * Math.cos(angle)), y: round(cy + r * Math.sin(angle)) };
}

/** SVG path of a ring segment between radii r0 < r1, from fraction f0 to f1 of a turn. */
export function annularSector(cx, cy, r0, r1, f0, f1) {
  if (f1 - f0 >= 1) {
    // A whole ring: two half circles per edge (one SVG arc cannot start and end at one point).
    return [
      `M ${cx} ${cy - r1} A ${r1} ${r1} 0 1 1 ${cx} ${cy + r1} A ${r1} ${r1} 0 1 1 ${cx} ${cy - r1} Z`,
      `M ${cx} ${cy - r0} A ${r0} ${r0} 0 1 0 ${cx} ${cy + r0} A ${r0} ${r0} 0 1 0 ${cx} ${cy - r0} Z`,
    ].join(' ');
  }
  const large = f1 - f0 > 0.5 ? 1 : 0;
  const a = polar(cx, cy, r1, f0);
  const b = polar(cx, cy, r1, f1);
  const c = polar(cx, cy, r0, f1);
  const d = polar(cx, cy, r0, f0);
  return `M ${a.x} ${a.y} A ${r1} ${r1} 0 ${large} 1 ${b.x} ${b.y} L ${c.x} ${c.y} A ${r0} ${r0} 0 ${large} 0 ${d.x} ${d.y} Z`;
}

/** A hand-off from `GET /v1/cluster` in words: counts, rate and time left. */
export function handOffText(h) {
  const parts = [`${formatCount(h.keysSent)} of ${formatCount(h.keysPlanned)} keys`];
  if (h.bytesPlanned > 0) parts.push(`${formatBytes(h.bytesSent)} of ${formatBytes(h.bytesPlanned)}`);
  parts.push(h.bytesPlanned > 0 ? `${formatBytes(h.bytesPerSec)}/s` : `${formatRate(h.keysPerSec)} keys/s`);
  parts.push(h.etaMs === null ? 'time left unknown' : `about ${formatDuration(h.etaMs)} left`);
  return parts.join(' · ');
}

/** An EXPLAIN answer as term/detail rows for the lookup result (no value is ever part of it). */
export function explainRows(e) {
  const withStatus = (id) => `${id} (${e.statuses?.[id] ?? 'unknown'})`;
  const role = e.role === 'none' ? 'not an owner' : `a ${e.role}`;
  const rows = [
    { term: 'Leader', detail: e.leader === null ? 'none (empty ring)' : withStatus(e.leader) },
    { term: 'Replicas', detail: e.replicas.length === 0 ? 'none' : e.replicas.map(withStatus).join(', ') },
    { term: 'Type', detail: e.type === null ? 'unknown' : e.type === 'none' ? 'none (the key does not exist)' : e.type },
    { term: 'TTL', detail: formatTtl(e.ttlMs) },
    { term: 'Answered by', detail: `${e.node}: ${role}, ${e.holdsCopy ? 'holds a copy' : 'holds no copy'}` },
    { term: 'Ring position', detail: `${e.position} (${((e.position / HASH_SPACE) * 100).toFixed(1)}% round the ring)` },
  ];
  if (e.error) rows.push({ term: 'Note', detail: `type and TTL unavailable: ${e.error}` });
  return rows;
}

function round(x) {
  return Math.round(x * 100) / 100;
}
