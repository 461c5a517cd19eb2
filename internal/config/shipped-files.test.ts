import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_CONFIG } from './defaults.js';
import { CLI_ENV, ENV } from './env-names.js';
import { loadConfig } from './load.js';
import { FILE_KEYS, SECTIONS } from './schema.js';

const repoFile = (name: string): string => readFileSync(fileURLToPath(new URL(`../../${name}`, import.meta.url)), 'utf8');

/** loadConfig in a virtual directory holding only `files`, so a developer's own .env cannot leak in. */
const loadWith = (files: Record<string, string>) =>
  loadConfig({ env: {}, cwd: '/repo', readFile: (path) => files[path.slice('/repo/'.length)] ?? null });

describe('the shipped config.yml', () => {
  const text = repoFile('config.yml');

  it('loads with no warnings and equals DEFAULT_CONFIG', () => {
    const { config, warnings } = loadWith({ 'config.yml': text });
    expect(warnings).toEqual([]);
    const { node, ...rest } = config;
    const { node: defaultNode, ...defaultRest } = DEFAULT_CONFIG;
    expect(rest).toEqual(defaultRest);
    expect(node.id).toBe(defaultNode.id);
    expect(node.logLevel).toBe(defaultNode.logLevel);
  });

  it('states every key, in the table\'s sections', () => {
    const doc = parse(text) as Record<string, Record<string, unknown>>;
    expect(Object.keys(doc)).toEqual([...SECTIONS]);
    for (const section of SECTIONS) {
      expect(Object.keys(doc[section] ?? {})).toEqual(FILE_KEYS[section].map((spec) => spec.key));
    }
  });

  it('comments every key', () => {
    const keyLines = text.split('\n').filter((line) => /^ {2}\w+:/.test(line));
    expect(keyLines.filter((line) => !line.includes(' # '))).toEqual([]);
  });
});

describe('the shipped .env.example', () => {
  const text = repoFile('.env.example');

  it('mentions every variable gokv and gokv-cli read', () => {
    for (const name of [...Object.values(ENV), ...CLI_ENV]) expect(text).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
  });

  it('loads, as a .env, into a single local node with no warnings', () => {
    const { config, warnings } = loadWith({ '.env': text, 'config.yml': repoFile('config.yml') });
    expect(warnings).toEqual([]);
    expect(config.node).toMatchObject({ id: 'gokv1', persistencePath: '/repo/data/gokv1.snapshot' });
    expect(config.addresses).toEqual({ ...DEFAULT_CONFIG.addresses, seeds: [] });
    expect(config.tls.internal.caPath).toBeNull();
  });

  it('loads with every TLS line uncommented', () => {
    const tls = text.replace(/^# (GOKV_(INTERNAL|EXTERNAL)_TLS_\w+=)/gm, '$1');
    const { config } = loadWith({ '.env': tls, 'config.yml': repoFile('config.yml') });
    expect(config.tls.internal.serverCertPath).toBe('/repo/certs/gokv1.cert.pem');
    expect(config.tls.external).toMatchObject({ serverKeyPath: '/repo/certs/external.key.pem', clientAuth: 'require' });
  });
});
