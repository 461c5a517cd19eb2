// The deployment files against the configuration contract: every YAML parses, every variable is
// one gokv knows, and each node's environment loads into a valid Config (as the node would).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { KNOWN_ENV, loadConfig, readFileIfExists, type Config } from '../internal/config/index.js';
import { clusterSize, inheritedEnv, listeningText, planNodes, startedText } from '../scripts/cluster-plan.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const K8S = join(ROOT, 'deploy', 'k8s');
const read = (...parts: string[]) => readFileSync(join(ROOT, ...parts), 'utf8');

/** The files certs.sh writes for the given node names. */
const certFiles = (nodes: string[]) =>
  new Set(['ca.cert.pem', 'external.cert.pem', 'external.key.pem', 'client.cert.pem', 'client.key.pem', ...nodes.flatMap((n) => [`${n}.cert.pem`, `${n}.key.pem`])]);

const tlsPaths = (config: Config): string[] =>
  [...Object.values(config.tls.internal), config.tls.external.caPath, config.tls.external.serverCertPath, config.tls.external.serverKeyPath].filter(
    (p): p is string => typeof p === 'string',
  );

/** Loads a node's Config from its environment only (no .env), with extra files it can read. */
function load(env: Record<string, string>, files: Record<string, string> = {}) {
  return loadConfig({ env, cwd: ROOT, readFile: (path) => (path in files ? files[path]! : path.endsWith('/.env') ? null : readFileIfExists(path)) });
}

interface ComposeService {
  build?: unknown;
  image?: string;
  environment: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
}

const composeFile = (name: string): { services: Record<string, ComposeService> } => parse(read(name), { merge: true });

describe('docker-compose.yml', () => {
  const { services } = composeFile('docker-compose.yml');
  const names = ['gokv1', 'gokv2', 'gokv3'];

  it('has gokv1..3 from one image, each with certificates mounted read-only', () => {
    expect(Object.keys(services).sort()).toEqual(names);
    expect(new Set(names.map((n) => services[n]!.image))).toEqual(new Set(['gokv:local']));
    for (const n of names) expect(services[n]!.volumes).toContain('./certs:/app/certs:ro');
  });

  it.each(names.map((n, i) => [n, i + 1] as const))('%s loads into a valid config with mutual TLS', (name, n) => {
    const env = services[name]!.environment;
    for (const variable of Object.keys(env)) expect(KNOWN_ENV.has(variable) || variable === 'NODE_OPTIONS', variable).toBe(true);
    expect(services[name]!.volumes).toContain('./deploy/compose/config.yml:/etc/gokv/config.yml:ro');
    const { config, warnings } = load(env, { '/etc/gokv/config.yml': read('deploy', 'compose', 'config.yml') });
    expect(warnings).toEqual([]);
    // Eviction bounds the cache well inside the heap NODE_OPTIONS gives, as on Kubernetes.
    expect(config.memory.maxMemoryBytes).toBe(256 * 2 ** 20);
    expect(env['NODE_OPTIONS']).toBe('--max-old-space-size=384');
    expect(config.node.id).toBe(name);
    expect(config.addresses).toMatchObject({ clusterBind: '0.0.0.0:7946', clusterAdvertise: `${name}:7946`, grpcBind: '0.0.0.0:50051', grpcAdvertise: `localhost:5005${n}` });
    expect(config.addresses.seeds.map((s) => s.id).sort()).toEqual(names.filter((other) => other !== name));
    expect(config.tls.internal.serverCertPath).toBe(`/app/certs/${name}.cert.pem`);
    expect(config.tls.external.clientAuth).toBe('require');
    for (const path of tlsPaths(config)) {
      expect(path.startsWith('/app/certs/')).toBe(true);
      expect(certFiles(names).has(basename(path)), path).toBe(true);
    }
    // Published on the host's loopback only, as the comments and the README say (a review found 0.0.0.0).
    expect(services[name]!.ports).toEqual([`127.0.0.1:5005${n}:50051`, `127.0.0.1:808${n}:8080`, `127.0.0.1:${6378 + n}:6379`]);
    expect(config.addresses.respBind).toBe('0.0.0.0:6379');
  });

  it('checks health with gokv-cli status and the client certificate', () => {
    const test = services['gokv1']!.healthcheck!.test;
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', 'dist/cmd/gokv-cli/main.js']);
    for (const flag of ['--ca', '--cert', '--key', 'status']) expect(test).toContain(flag);
    expect(test[test.indexOf('--cert') + 1]).toBe('/app/certs/client.cert.pem');
  });

  it('runs plaintext under docker-compose.plaintext.yml', () => {
    const override = composeFile('docker-compose.plaintext.yml').services;
    for (const name of names) {
      const { config } = load({ ...services[name]!.environment, ...override[name]!.environment }, { '/etc/gokv/config.yml': read('deploy', 'compose', 'config.yml') });
      expect(tlsPaths(config)).toEqual([]);
      expect(config.tls.external.clientAuth).toBe('none');
      expect(override[name]!.healthcheck!.test).not.toContain('--cert');
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('runs the built gokv bin as a non-root user, exposing the four ports', () => {
    const bin = (JSON.parse(read('package.json')) as { bin: Record<string, string> }).bin;
    expect(dockerfile).toContain(`CMD ["node", "${bin['gokv']}"]`);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^EXPOSE 7946 50051 8080 6379$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });
});

describe('deploy/k8s', () => {
  const files = readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f));
  const docs = files.flatMap((file) =>
    parseAllDocuments(read('deploy', 'k8s', file)).map((doc) => {
      expect(doc.errors, file).toEqual([]);
      return doc.toJS() as { kind: string; metadata?: { name: string }; [key: string]: unknown };
    }),
  );
  const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name) as any;

  it('lists every manifest in kustomization.yaml', () => {
    const kustomization = docs.find((d) => d.kind === 'Kustomization') as unknown as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
  });

  it('has a headless Service publishing not-ready addresses and a client Service', () => {
    const statefulSet = find('StatefulSet', 'gokv');
    const headless = find('Service', statefulSet.spec.serviceName);
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(find('Service', 'gokv').spec.ports.map((p: { port: number }) => p.port)).toEqual([50051, 8080, 6379]);
  });

  it('runs three replicas, ready on /healthz, with certificates from a read-only Secret and resources', () => {
    const spec = find('StatefulSet', 'gokv').spec;
    expect(spec.replicas).toBe(3);
    const pod = spec.template.spec;
    const container = pod.containers[0];
    expect(JSON.stringify(container.readinessProbe)).toContain('/healthz');
    expect(container.volumeMounts).toContainEqual({ name: 'certs', mountPath: '/app/certs', readOnly: true });
    expect(pod.volumes.find((v: { name: string }) => v.name === 'certs').secret.secretName).toBe('gokv-certs');
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
  });

  it.each(['gokv-0', 'gokv-1', 'gokv-2'])('pod %s loads into a valid config (ids from the pod name)', (pod) => {
    const container = find('StatefulSet', 'gokv').spec.template.spec.containers[0];
    const env = expandEnv(container.env, pod);
    for (const variable of Object.keys(env).filter((v) => v.startsWith('GOKV_'))) expect(KNOWN_ENV.has(variable), variable).toBe(true);
    const configYml = find('ConfigMap', 'gokv-config').data['config.yml'];
    const { config, warnings } = load(env, { '/etc/gokv/config.yml': configYml });
    expect(warnings).toEqual([]);
    expect(config.node.id).toBe(pod);
    expect(config.addresses.clusterAdvertise).toBe(`${pod}.gokv-headless:7946`);
    expect(config.addresses.seeds.map((s) => s.addr)).toHaveLength(2);
    expect(config.addresses.seeds.map((s) => s.addr)).not.toContain(`${pod}.gokv-headless:7946`);
    expect(config.tls.internal.clientCertPath).toBe(`/app/certs/${pod}.cert.pem`);
    for (const path of tlsPaths(config)) expect(certFiles(['gokv-0', 'gokv-1', 'gokv-2']).has(basename(path)), path).toBe(true);
  });
});

/** Kubernetes' env expansion: `$(NAME)` of an earlier entry; fieldRef metadata.name is the pod. */
function expandEnv(entries: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>, pod: string) {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    if (entry.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[entry.name] = pod;
    else if (entry.value !== undefined) env[entry.name] = entry.value.replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (all, name: string) => env[name] ?? all);
    else throw new Error(`unsupported env entry ${entry.name}`);
  }
  return env;
}

describe('scripts/cluster.ts (npm run cluster)', () => {
  it('sets per node every node-specific variable that .env.example sets, so a copied .env cannot leak into all nodes', () => {
    const script = read('scripts', 'cluster.ts');
    const perNode = [...read('.env.example').matchAll(/^(GOKV_(?:CLUSTER_NODE_ID|PERSISTENCE_PATH|[A-Z_]*_(?:BIND|ADVERTISE)_ADDR))=/gm)].map((m) => m[1]!);
    expect(perNode.length).toBeGreaterThan(5);
    expect(perNode.filter((name) => !new RegExp(`^\\s+${name}:`, 'm').test(script))).toEqual([]);
  });

  // Found with `GOKV_CLUSTER_SIZE=1 npm run cluster`: a TypeError and stack trace after spawning the
  // node (the example lines named nodes[1] and nodes[2]); `=0` or `=abc` started no node at all.
  it.each([
    [undefined, 3],
    ['', 3],
    ['1', 1],
    [' 5 ', 5],
  ])('starts GOKV_CLUSTER_SIZE=%j nodes and prints how to try them', (text, size) => {
    const nodes = planNodes(clusterSize(text));
    expect(nodes).toHaveLength(size);
    expect(startedText(nodes)).toContain(`${nodes.at(-1)!.id}: gRPC ${nodes.at(-1)!.grpc}`);
    expect(listeningText(nodes)).toContain(`npx gokv-cli --uri ${nodes[0]!.grpc} status`);
  });

  it.each(['0', '-1', '1.5', 'abc', '101'])('refuses GOKV_CLUSTER_SIZE=%j, naming it', (text) => {
    expect(() => clusterSize(text)).toThrow(`GOKV_CLUSTER_SIZE must be a whole number from 1 to 100, got "${text}"`);
  });

  // README's `GOKV_CLUSTER_SIZE=5 npm run cluster` made every node warn of an unknown GOKV_* variable.
  it('does not pass GOKV_CLUSTER_SIZE on to the nodes', () => {
    const env = inheritedEnv({ GOKV_CLUSTER_SIZE: '5', GOKV_LOG_LEVEL: 'warn' });
    expect(env).toEqual({ GOKV_LOG_LEVEL: 'warn' });
    expect(load(env as Record<string, string>).warnings).toEqual([]);
  });
});
