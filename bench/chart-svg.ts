// A dependency-free SVG chart: one row per run, a bar of ops/s on the left and of p99 latency
// (log scale, as latencies span 0.1 to 100+ ms) on the right, coloured by target.
import type { RunResult } from './runner.js';

const COLORS: Record<string, string> = { bare: '#8c8c8c', single: '#2b6cb0', cluster3: '#c05621', bare3: '#b7791f', redis: '#2f855a' };
const ROW = 16;
const LABEL_W = 250;
const PANEL_W = 330;
const GAP = 70;
const TOP = 46;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

export function chartSvg(runs: readonly RunResult[], title: string): string {
  const maxOps = niceMax(Math.max(...runs.map((r) => r.opsPerSec)));
  const p99s = runs.map((r) => r.p99Ms).filter((v) => v > 0 && Number.isFinite(v));
  const logMin = Math.floor(Math.log10(Math.min(0.1, ...p99s)));
  const logMax = Math.ceil(Math.log10(Math.max(1, ...p99s)));
  const x0 = LABEL_W;
  const x1 = LABEL_W + PANEL_W + GAP;
  const height = TOP + runs.length * ROW + 30;
  const width = x1 + PANEL_W + 20;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<text x="${x0}" y="36">ops/s (0 .. ${maxOps.toLocaleString('en-US')})</text>`,
    `<text x="${x1}" y="36">p99 latency, ms (log scale)</text>`,
  ];
  for (let e = logMin; e <= logMax; e++) {
    const x = x1 + ((e - logMin) / (logMax - logMin)) * PANEL_W;
    out.push(`<line x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${TOP + runs.length * ROW}" stroke="#ddd"/>`);
    out.push(`<text x="${x}" y="${TOP + runs.length * ROW + 14}" text-anchor="middle">${Math.pow(10, e)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const x = x0 + (i / 4) * PANEL_W;
    out.push(`<line x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${TOP + runs.length * ROW}" stroke="#ddd"/>`);
    out.push(`<text x="${x}" y="${TOP + runs.length * ROW + 14}" text-anchor="middle">${Math.round((maxOps * i) / 4 / 1000)}k</text>`);
  }
  runs.forEach((r, i) => {
    const y = TOP + i * ROW;
    const color = COLORS[r.target] ?? '#555';
    const wOps = (r.opsPerSec / maxOps) * PANEL_W;
    const p99 = Math.max(r.p99Ms, Math.pow(10, logMin));
    const wP99 = Number.isFinite(p99) ? ((Math.log10(p99) - logMin) / (logMax - logMin)) * PANEL_W : 0;
    out.push(`<text x="${x0 - 6}" y="${y + 11}" text-anchor="end">${esc(`${r.target} ${r.scenario} ${r.mode}`)}</text>`);
    out.push(`<rect x="${x0}" y="${y + 2}" width="${wOps.toFixed(1)}" height="${ROW - 4}" fill="${color}"/>`);
    out.push(`<text x="${x0 + wOps + 3}" y="${y + 11}" fill="#333">${Math.round(r.opsPerSec)}</text>`);
    out.push(`<rect x="${x1}" y="${y + 2}" width="${wP99.toFixed(1)}" height="${ROW - 4}" fill="${color}" opacity="0.75"/>`);
    out.push(`<text x="${x1 + wP99 + 3}" y="${y + 11}" fill="#333">${r.p99Ms.toFixed(2)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
