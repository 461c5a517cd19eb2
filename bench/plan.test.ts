import { describe, expect, it } from 'vitest';
import { KEY_COUNT } from './load-plan.js';
import { parseArgs } from './plan.js';

describe('--keys', () => {
  it('defaults to the targets\' key count and takes another with --profile or --ab', () => {
    expect(parseArgs([]).keys).toBe(KEY_COUNT);
    expect(parseArgs(['--profile', '--keys', '1000']).keys).toBe(1000);
    expect(parseArgs(['--ab', '--only', 'single', '--keys', '1000']).keys).toBe(1000);
  });

  it('is refused for the full run, whose figures are for the targets\' key count', () => {
    expect(() => parseArgs(['--keys', '1000'])).toThrow('--keys: use it with --profile or --ab');
  });

  it('is refused when not a whole number in range', () => {
    for (const bad of ['0', '-5', '1.5', 'many', '20000000']) {
      expect(() => parseArgs(['--profile', '--keys', bad])).toThrow('--keys: expected a whole number from 1 to');
    }
    expect(() => parseArgs(['--profile', '--keys'])).toThrow('--keys: expected a whole number');
  });
});

describe('--scenario', () => {
  it('picks the profiled command, HSET unless given', () => {
    expect(parseArgs(['--profile']).profileScenario).toBe('hset');
    expect(parseArgs(['--profile', '--scenario', 'hget']).profileScenario).toBe('hget');
  });

  it('is refused without --profile and for an unknown scenario', () => {
    expect(() => parseArgs(['--scenario', 'hget'])).toThrow('--scenario: use it with --profile');
    expect(() => parseArgs(['--profile', '--scenario', 'del'])).toThrow('--scenario: expected one of hset, hget, lpush-lpop, mixed, got del');
  });
});
