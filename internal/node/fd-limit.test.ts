import { describe, expect, it } from 'vitest';
import { parseOpenFilesLimit, respClientsWithin } from './fd-limit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('the open-files limit', () => {
  it('reads the soft limit from /proc/self/limits', () => {
    expect(parseOpenFilesLimit(LIMITS)).toBe(1024);
    expect(parseOpenFilesLimit(LIMITS.replace('1024 ', 'unlimited'))).toBeUndefined();
    expect(parseOpenFilesLimit('nothing here')).toBeUndefined();
  });

  it('lowers limits.max_clients to what it allows, as Redis lowers maxclients, and says so', () => {
    const { maxClients, warning } = respClientsWithin(10_000, 1024);
    expect(maxClients).toBe(896);
    expect(warning).toBe(
      "limits.max_clients (10000) needs 10128 open files, over this process's limit of 1024: RESP clients are limited to 896; raise 'ulimit -n' for more",
    );
  });

  it('keeps limits.max_clients when the limit allows it or is unknown', () => {
    expect(respClientsWithin(10_000, 20_000)).toEqual({ maxClients: 10_000 });
    expect(respClientsWithin(10_000, undefined)).toEqual({ maxClients: 10_000 });
    expect(respClientsWithin(50, 100).maxClients).toBe(1);
  });
});
