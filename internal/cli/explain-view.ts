import { isUtf8 } from 'node:buffer';
import type { DecodedReply } from '../wire/index.js';
import { quoteBytes } from './format-human.js';

const HASH_SPACE = 2 ** 32;

/** `gokv-cli explain KEY` for people: one labelled line per fact, aligned; never a value. */
export function explainText(reply: DecodedReply): string {
  if (!(reply instanceof Map)) return `(unexpected EXPLAIN reply)\n`;
  const get = (name: string): DecodedReply | undefined => reply.get(name);
  const text = (v: DecodedReply | undefined): string => (Buffer.isBuffer(v) ? v.toString('utf8') : v == null ? '' : String(v));
  const statuses = get('statuses');
  const withStatus = (id: DecodedReply): string => {
    const status = statuses instanceof Map ? statuses.get(text(id)) : undefined;
    return `${text(id)} (${status === undefined ? 'unknown' : text(status)})`;
  };
  const key = get('key');
  const leader = get('leader');
  const replicas = get('replicas');
  const position = Number(get('position') ?? 0);
  const role = text(get('role'));
  const rows: Array<[string, string]> = [
    ['key', Buffer.isBuffer(key) ? (isUtf8(key) ? JSON.stringify(key.toString('utf8')) : quoteBytes(key)) : text(key)],
    ['leader', leader == null ? 'none (empty ring)' : withStatus(leader)],
    ['replicas', Array.isArray(replicas) && replicas.length > 0 ? replicas.map(withStatus).join(', ') : 'none'],
    ['type', typeText(get('type'))],
    ['ttl', ttlText(get('ttlMs'))],
    ['answered by', `${text(get('node'))} (${role === 'none' ? 'not an owner' : role}, ${get('holdsCopy') === 1 ? 'holds a copy' : 'holds no copy'})`],
    ['ring', `position ${position} (${((position / HASH_SPACE) * 100).toFixed(1)}%), version ${text(get('ringVersion'))}`],
  ];
  const error = get('error');
  if (error !== undefined) rows.push(['note', `type and ttl unknown: ${text(error)}`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join('');
}

function typeText(type: DecodedReply | undefined): string {
  if (type == null) return 'unknown';
  return type === 'none' ? 'none (the key does not exist)' : String(type);
}

/** EXPLAIN's ttlMs: -2 missing, -1 no expiry, else ms left. */
export function ttlText(ttlMs: DecodedReply | undefined): string {
  if (typeof ttlMs !== 'number') return 'unknown';
  if (ttlMs === -2) return 'none (the key does not exist)';
  if (ttlMs === -1) return 'no expiry';
  const s = Math.floor(ttlMs / 1000);
  const parts = [[Math.floor(s / 86_400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'm'], [s % 60, 's']] as const;
  const first = parts.findIndex(([n]) => n > 0);
  const human = first < 0 ? `${ttlMs}ms` : parts.slice(first).map(([n, unit]) => `${n}${unit}`).join('');
  return `${human} (${ttlMs} ms)`;
}
