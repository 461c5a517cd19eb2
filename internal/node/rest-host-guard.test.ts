import { describe, expect, it } from 'vitest';
import { testConfig } from '../config/index.js';
import { loopbackHostNames } from './ops-surface.js';

const namesFor = (restBind: string, restAdvertise: string | null) =>
  loopbackHostNames({ ...testConfig().addresses, restBind, restAdvertise });

describe('which REST servers check the Host header (DNS rebinding)', () => {
  it('checks it when bound to loopback, allowing the advertised host too', () => {
    expect(namesFor('127.0.0.1:8080', 'gokv.internal:8080')).toEqual({ loopbackHostNames: ['gokv.internal'] });
    expect(namesFor('[::1]:8080', null)).toEqual({ loopbackHostNames: [] });
  });

  // Found by a review: docker-compose binds 0.0.0.0 in the container and publishes the port on
  // the host's localhost; with no check, a page could rebind its name to 127.0.0.1.
  it('checks it when bound to every interface but advertised on a loopback host', () => {
    expect(namesFor('0.0.0.0:8080', 'localhost:8081')).toEqual({ loopbackHostNames: ['localhost'] });
  });

  it('accepts any Host when exposed under a name gokv cannot know', () => {
    expect(namesFor('0.0.0.0:8080', 'gokv.example.com:8080')).toEqual({});
    expect(namesFor('0.0.0.0:8080', null)).toEqual({});
  });
});
