import { describe, expect, it } from 'vitest';
import { testConfig, type AddressesConfig, type TlsConfig } from '../config/index.js';
import { loadNodeCredentials } from './node-credentials.js';

const OFF: TlsConfig = testConfig().tls;

describe('loadNodeCredentials without TLS files', () => {
  const addresses = testConfig().addresses;
  const only = (open: Partial<AddressesConfig>): AddressesConfig => ({
    ...addresses,
    clusterBind: null,
    grpcBind: null,
    restBind: null,
    respBind: null,
    ...open,
  });

  it.each([
    ['every listener', addresses, /^TLS is off: node-to-node and client traffic is plaintext/],
    ['only the cluster listener', only({ clusterBind: '127.0.0.1:0' }), /^internal TLS is off: .*any host that reaches the cluster port can join/],
    ['only REST', only({ restBind: '127.0.0.1:0' }), /^external TLS is off: client traffic is plaintext/],
  ])('gives one warning naming the variables with %s open', (_name, open, warning) => {
    const credentials = loadNodeCredentials({ tls: OFF, addresses: open });
    expect(credentials.plaintextWarning).toMatch(warning);
    expect(credentials.summary).toEqual({ internal: 'plaintext', external: 'plaintext', clientAuth: 'none' });
    expect(credentials.https).toBeNull();
  });

  it('has nothing to warn about with every listener off', () => {
    expect(loadNodeCredentials({ tls: OFF, addresses: only({}) }).plaintextWarning).toBeNull();
  });
});
