import { describe, expect, it } from 'vitest';
import { UsageError } from './exit-codes.js';
import { resolveOptions } from './options.js';

describe('resolveOptions --uri', () => {
  it.each([
    ['host:port as given', '127.0.0.1:50052', '127.0.0.1:50052'],
    ['a bare host on port 50051', 'localhost', 'localhost:50051'],
    ['a bare IPv6 host in brackets', '[::1]', '[::1]:50051'],
    ['IPv6 with a port', '[::1]:7000', '[::1]:7000'],
    ['a grpc-js scheme form as it is', 'dns:///gokv.example:50051', 'dns:///gokv.example:50051'],
  ])('takes %s', (_name, uri, target) => {
    expect(resolveOptions({ uri }, {}).uri).toBe(target);
    expect(resolveOptions({}, { GOKV_CLIENT_URI: uri }).uri).toBe(target);
  });

  it.each([
    ['a port that is no number', '127.0.0.1:notaport'],
    ['a port out of range', '127.0.0.1:70000'],
    ['port 0', 'localhost:0'],
    ['an empty host', ':50051'],
    ['IPv6 without brackets', '::1:50051'],
  ])('refuses %s as a usage error', (_name, uri) => {
    expect(() => resolveOptions({ uri }, {})).toThrow(UsageError);
    expect(() => resolveOptions({ uri }, {})).toThrow(/^--uri \(GOKV_CLIENT_URI\): /);
  });
});
