// The dashboard in the browser: polls this node's REST API and puts view.js's results on the page.
// Only textContent and attributes are set (never HTML from the network), and no value is ever asked for.
import * as view from './view.js';

const POLL_MS = 1000;
const SVG = 'http://www.w3.org/2000/svg';
const state = { cluster: null, ring: null, error: null, updatedAt: null, lookup: null };

/** An element with attributes (`text` sets textContent) and children. */
function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store', headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error ?? `HTTP ${res.status}`);
  return body;
}

async function poll() {
  try {
    const cluster = await getJson('v1/cluster');
    if (state.ring === null || state.ring.version !== cluster.ringVersion) state.ring = await getJson('v1/ring');
    state.cluster = cluster;
    state.error = null;
    state.updatedAt = new Date();
  } catch (err) {
    state.error = err instanceof Error ? err.message : String(err);
  }
  render();
  setTimeout(poll, POLL_MS);
}

function render() {
  const { cluster } = state;
  if (cluster !== null) {
    const colours = view.memberColours(cluster.members.map((m) => m.id));
    renderMembers(cluster, colours);
    if (state.ring !== null) renderRing(state.ring, colours);
    renderHandOffs(cluster.handOffs ?? []);
  }
  renderSummary();
}

function renderSummary() {
  const { cluster } = state;
  const summary = document.getElementById('summary');
  const time = state.updatedAt ? state.updatedAt.toLocaleTimeString() : 'never';
  if (state.error !== null) {
    summary.className = 'error';
    summary.textContent = `Cannot reach this node (${state.error}); showing data from ${time}, retrying.`;
    return;
  }
  const counts = {};
  for (const m of cluster.members) counts[m.status] = (counts[m.status] ?? 0) + 1;
  const byStatus = Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ');
  summary.className = '';
  summary.textContent = `Answered by ${cluster.node.id} · ${cluster.members.length} members (${byStatus}) · ring version ${cluster.ringVersion} · updated ${time}`;
}

function renderMembers(cluster, colours) {
  const rows = view.orderMembers(cluster.members).map((m) => {
    const f = m.figures ?? null;
    const status = view.statusInfo(m.status);
    const mem = f ? view.memoryUse(f.memoryUsedBytes, f.maxMemoryBytes, f.tombstoneBytes) : null;
    const none = () => el('span', { class: 'muted', text: '–', title: 'no figures: the member did not answer' });
    return el(
      'tr',
      { 'data-member': m.id, class: m.status === 'alive' ? null : `row-${m.status}` },
      el(
        'th',
        { scope: 'row' },
        el('span', { class: 'swatch', 'aria-hidden': 'true', 'data-colour': colours.get(m.id) }),
        el('span', { text: m.id }),
        m.id === cluster.node.id ? el('span', { class: 'tag', text: 'this node' }) : null,
      ),
      el('td', { class: 'status' }, el('span', { class: `badge status-${m.status}`, 'data-status': m.status },
        el('span', { 'aria-hidden': 'true', text: status.symbol }), ` ${status.label}`)),
      el('td', { class: 'num', text: m.incarnation }),
      el('td', { class: 'addr' },
        el('div', { text: `gRPC ${m.grpcAddr || '–'}` }),
        el('div', { text: `REST ${m.restAddr || '–'}` }),
        el('div', { text: `internal ${m.internalAddr || '–'}` })),
      el('td', { class: 'num' }, f ? view.formatDuration(f.uptimeMs) : none()),
      el('td', { class: 'num', 'data-figure': 'keys' }, f ? view.formatCount(f.keys) : none()),
      el('td', { class: 'memory' }, mem ? memoryCell(mem) : none()),
      el('td', { class: 'num' }, f ? view.formatRate(f.opsPerSec) : none()),
      el('td', { class: 'num' }, f ? view.formatLatency(f.p99LatencyMs) : none()),
      el('td', { class: 'num' }, f ? view.formatLatency(f.eventLoopDelayMs) : none()),
    );
  });
  document.querySelector('#members tbody').replaceChildren(...rows);
  // Colours through the CSSOM: the page's policy forbids inline style attributes.
  for (const swatch of document.querySelectorAll('#members .swatch')) swatch.style.background = swatch.dataset.colour;
}

function memoryCell(mem) {
  const cell = el('div', { class: 'memory-cell' });
  if (mem.fraction !== null) {
    const fill = el('div', { class: 'fill' });
    fill.style.width = `${(mem.fraction * 100).toFixed(1)}%`;
    cell.append(el('div', { class: 'bar', 'aria-hidden': 'true' }, fill));
  }
  cell.append(el('span', { text: mem.text }));
  return cell;
}

const C = 140;

function renderRing(ring, colours) {
  const svg = document.getElementById('ring');
  const colour = (id) => colours.get(id) ?? '#999';
  const parts = [el('svg:title', { id: 'ring-label', text: ringDescription(ring) })];
  for (const arc of view.leaderArcs(ring)) {
    parts.push(el('svg:path', {
      d: view.annularSector(C, C, 100, 114, arc.from / view.HASH_SPACE, arc.to / view.HASH_SPACE),
      fill: colour(arc.member),
    }));
  }
  const ticks = el('svg:g', { class: 'ticks' });
  for (const m of ring.members) {
    const g = el('svg:g', { stroke: colour(m.id), 'data-member': m.id });
    for (const p of m.vnodes) {
      const a = view.polar(C, C, 116, p / view.HASH_SPACE);
      const b = view.polar(C, C, 124, p / view.HASH_SPACE);
      g.append(el('svg:line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y }));
    }
    ticks.append(g);
  }
  parts.push(ticks);
  for (const w of view.shareWedges(ring)) {
    parts.push(el('svg:path', { d: view.annularSector(C, C, 50, 94, w.from, w.to), fill: colour(w.member), class: 'wedge' }));
  }
  for (const w of view.shareWedges(ring)) {
    if (w.share < 0.04) continue; // too thin to hold a label: the legend names it
    const at = view.polar(C, C, 72, w.mid);
    parts.push(el('svg:text', { x: at.x, y: at.y - 2, class: 'wedge-label', 'data-member': w.member, text: w.member }));
    parts.push(el('svg:text', { x: at.x, y: at.y + 12, class: 'wedge-share', text: `${(w.share * 100).toFixed(1)}%` }));
  }
  const n = ring.members.length;
  parts.push(el('svg:text', { x: C, y: C - 4, class: 'centre', text: `${n} member${n === 1 ? '' : 's'}` }));
  parts.push(el('svg:text', { x: C, y: C + 12, class: 'centre muted', text: `${n * ring.vnodeCount} vnodes` }));
  const marker = keyMarker(ring);
  if (marker) parts.push(marker);
  svg.replaceChildren(...parts);

  const legend = ring.members.map((m) => {
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = colour(m.id);
    return el('li', { 'data-member': m.id }, swatch,
      el('span', { text: `${m.id}: leads ${(m.share * 100).toFixed(1)}% · ${m.vnodes.length} vnodes` }));
  });
  document.getElementById('ring-legend').replaceChildren(...legend);
}

function ringDescription(ring) {
  const shares = ring.members.map((m) => `${m.id} leads ${(m.share * 100).toFixed(1)}%`).join(', ');
  return `Hash ring with ${ring.members.length} members and ${ring.vnodeCount} vnodes each: ${shares}.`;
}

/** The looked-up key's position on the ring, when the answer used the ring shown. */
function keyMarker(ring) {
  const e = state.lookup;
  if (!e || e.ringVersion !== ring.version) return null;
  const f = e.position / view.HASH_SPACE;
  const a = view.polar(C, C, 46, f);
  const b = view.polar(C, C, 128, f);
  const t = view.polar(C, C, 134, f);
  return el('svg:g', { class: 'key-marker' },
    el('svg:line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y }),
    el('svg:text', { x: t.x, y: t.y + 4, text: 'key' }));
}

function renderHandOffs(handOffs) {
  const box = document.getElementById('handoffs');
  if (handOffs.length === 0) {
    box.replaceChildren(el('p', { class: 'muted', text: 'No hand-off running.' }));
    return;
  }
  box.replaceChildren(...handOffs.map((h) => {
    const percent = Math.round(h.fraction * 100);
    const fill = el('div', { class: 'fill' });
    fill.style.width = `${(h.fraction * 100).toFixed(1)}%`;
    const label = `Hand-off from ${h.member}`;
    return el('div', { class: 'handoff', 'data-member': h.member },
      el('div', { class: 'handoff-head' }, el('strong', { text: label }), el('span', { text: `${percent}%` })),
      el('div', { class: 'bar', role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100,
        'aria-valuenow': percent }, fill),
      el('div', { class: 'note', text: view.handOffText(h) }));
  }));
}

async function lookUp(event) {
  event.preventDefault();
  const key = document.getElementById('lookup-key').value;
  const out = document.getElementById('lookup-result');
  if (key === '') return;
  out.replaceChildren(el('p', { class: 'muted', text: 'Looking up…' }));
  try {
    const e = await getJson(`v1/explain?key=${encodeURIComponent(key)}`);
    state.lookup = e;
    const list = el('dl', { class: 'explain' });
    for (const row of view.explainRows(e)) {
      list.append(el('dt', { text: row.term }), el('dd', { 'data-term': row.term.toLowerCase(), text: row.detail }));
    }
    out.replaceChildren(el('p', { class: 'lookup-key' }, 'Key ', el('code', { text: e.key })), list);
    if (state.ring && state.cluster) renderRing(state.ring, view.memberColours(state.cluster.members.map((m) => m.id)));
  } catch (err) {
    state.lookup = null;
    out.replaceChildren(el('p', { class: 'error', role: 'alert', text: `Lookup failed: ${err instanceof Error ? err.message : err}` }));
  }
}

document.getElementById('lookup').addEventListener('submit', (event) => void lookUp(event));
void poll();
