/**
 * config.yml -> values laid over a draft Config. Unknown sections and keys, values of the wrong
 * form and YAML syntax errors are problems naming the file and key; the Go gokv's retired keys
 * are warnings. Ranges are checked later, by validate, for every source alike.
 */
import { parseDocument } from 'yaml';
import type { Config } from './types.js';
import type { Mutable } from './deep.js';
import { parseDuration, parseSize } from './parse-units.js';
import { FILE_KEYS, LEGACY_KEYS, LEGACY_SECTIONS, SECTIONS, type KeySpec, type Section } from './schema.js';
import { suggest } from './suggest.js';

export interface FileLayer {
  readonly problems: string[];
  readonly warnings: string[];
  /** YAML key (`cluster.replicas`) -> file, for every key the file set. */
  readonly origins: Map<string, string>;
  /** Keys whose value could not be parsed (validate skips them, so each is reported once). */
  readonly failed: Set<string>;
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A parsed YAML value as the operator would recognise it (`.inf` is Infinity, not JSON's null). */
const show = (value: unknown): string =>
  value === null || value === undefined
    ? 'nothing'
    : typeof value === 'number'
      ? String(value)
      : JSON.stringify(value) ?? String(value);

/** The value of one key, parsed to the Config's form; throws with a message on a bad form. */
function parseValue(spec: KeySpec, raw: unknown): number | string {
  switch (spec.kind) {
    case 'int':
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
      throw new Error(`expected a whole number, got ${show(raw)}`);
    case 'duration':
      if (typeof raw === 'number' || typeof raw === 'string') return parseDuration(raw);
      throw new Error(`expected a duration like 10s, 500ms or 1m30s, got ${show(raw)}`);
    case 'size':
      if (typeof raw === 'number' || typeof raw === 'string') return parseSize(raw);
      throw new Error(`expected a size like 64mb, got ${show(raw)}`);
    case 'enum': {
      const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
      if (text !== undefined && spec.values?.includes(text) === true) return text;
      throw new Error(`expected one of ${spec.values?.join(', ') ?? ''}, got ${show(raw)}`);
    }
  }
}

/** Parses the text of `file` and sets the values it gives on `draft`. */
export function applyConfigFile(text: string, file: string, draft: Mutable<Config>): FileLayer {
  const layer: FileLayer = { problems: [], warnings: [], origins: new Map(), failed: new Set() };
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) layer.problems.push(`${file}: invalid YAML: ${error.message.split('\n')[0] ?? ''}`);
    return layer;
  }
  // Say, an unknown tag (`!foo 5mb`): the value is still read, as its plain text.
  for (const warning of doc.warnings) layer.warnings.push(`${file}: YAML: ${warning.message.split('\n')[0] ?? ''}`);
  let root: unknown;
  try {
    root = doc.toJS(); // expands aliases, and refuses a document that would grow without bound
  } catch (err) {
    layer.problems.push(`${file}: invalid YAML: ${(err as Error).message}`);
    return layer;
  }
  if (root === null || root === undefined) return layer;
  if (!isMapping(root)) {
    layer.problems.push(`${file}: expected sections such as "cluster:" at the top level, got ${show(root)}`);
    return layer;
  }
  // Legacy spellings first, so the real section wins where both set a key.
  const entries = Object.entries(root).sort(([a], [b]) => Number(b in LEGACY_SECTIONS) - Number(a in LEGACY_SECTIONS));
  for (const [name, body] of entries) {
    const legacy = LEGACY_SECTIONS[name];
    if (legacy !== undefined) {
      layer.warnings.push(`${file}: ${name}: misspelled section of the Go gokv, read as "${legacy}:"; rename it`);
    }
    const section = legacy ?? name;
    if (!(SECTIONS as readonly string[]).includes(section)) {
      const hint = `${suggest(name, SECTIONS)} (known: ${SECTIONS.join(', ')})`;
      layer.problems.push(`${file}: ${name}: unknown section${hint}`);
      continue;
    }
    if (body === null) continue; // a section whose keys are all commented out
    if (!isMapping(body)) {
      layer.problems.push(`${file}: ${name}: expected keys under the section, got ${show(body)}`);
      continue;
    }
    applySection(section as Section, name, body, file, draft, layer);
  }
  return layer;
}

function applySection(
  section: Section,
  written: string,
  body: Record<string, unknown>,
  file: string,
  draft: Mutable<Config>,
  layer: FileLayer,
): void {
  const specs = FILE_KEYS[section] as readonly KeySpec[];
  for (const [key, raw] of Object.entries(body)) {
    const label = `${section}.${key}`;
    const legacyReason = LEGACY_KEYS[label];
    if (legacyReason !== undefined) {
      layer.warnings.push(`${file}: ${written}.${key}: ${legacyReason}`);
      continue;
    }
    const spec = specs.find((s) => s.key === key);
    if (spec === undefined) {
      const known = specs.map((s) => s.key);
      layer.problems.push(`${file}: ${written}.${key}: unknown key${suggest(key, known)} (known: ${known.join(', ')})`);
      continue;
    }
    layer.origins.set(label, file);
    try {
      (draft[section] as Record<string, unknown>)[spec.field] = parseValue(spec, raw);
      layer.failed.delete(label);
    } catch (err) {
      layer.failed.add(label);
      layer.problems.push(`${file}: ${written}.${key}: ${(err as Error).message}`);
    }
  }
}
