import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { lcg } from './testing/random.js';
import { binFromBuffer, binFromText } from '../store/index.js';
import { decodeCommandRequest, encodeCommandResponse, withCommandCodec } from './command-codec.js';
import { loadProtos } from './protos.js';

const service = loadProtos().external.externalpb.ExternalServer.service;
const run = service.RunCommand;
// proto-loader's codec, as clients use it: the reference for the bytes on the wire.
const encodeRequest = (m: { command?: string; key?: string; args?: Buffer[] }): Buffer => run.requestSerialize(m);
const decodeResponse = (b: Buffer) => run.responseDeserialize(b) as { response: Buffer; error: string };

const concat = (...parts: number[][]): Buffer => Buffer.from(parts.flat());

describe('decodeCommandRequest', () => {
  it('reads what proto-loader writes: command, UTF-8 key as its bytes, binary args', () => {
    const args = [Buffer.from('field'), Buffer.alloc(0), Buffer.from([0, 0xff, 0x80, 0x7f]), Buffer.alloc(300, 7)];
    const decoded = decodeCommandRequest(encodeRequest({ command: 'HSET', key: 'clé:1', args }));
    expect(decoded.name).toBe('HSET');
    expect(decoded.key).toBe(binFromText('clé:1'));
    expect(decoded.args).toEqual(args.map(binFromBuffer));
  });

  it('agrees with proto-loader on random requests', () => {
    const rand = lcg(7);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
    for (let i = 0; i < 500; i++) {
      const key = String.fromCodePoint(...Array.from({ length: Math.floor(rand() * 8) }, () => Math.floor(rand() * 0x3000)));
      const args = Array.from({ length: Math.floor(rand() * 6) }, () => bytes(Math.floor(rand() * 200)));
      const wire = encodeRequest({ command: i % 2 ? 'hget' : 'LPUSH', key, args });
      const ours = decodeCommandRequest(wire);
      const theirs = run.requestDeserialize(wire) as { command: string; key: string; args: Buffer[] };
      expect(ours).toEqual({
        name: theirs.command,
        key: binFromText(theirs.key),
        args: theirs.args.map(binFromBuffer),
        argCount: theirs.args.length,
      });
    }
  });

  it('gives empty defaults for an empty message', () => {
    expect(decodeCommandRequest(Buffer.alloc(0))).toEqual({ name: '', key: '', args: [], argCount: 0 });
  });

  it('skips unknown fields of every wire type, and a known field sent with another wire type', () => {
    const wire = concat(
      [0x0a, 4, ...Buffer.from('HGET')],
      [(9 << 3) | 0, 0xff, 0xff, 0x01], // varint
      [(10 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8], // fixed64
      [(11 << 3) | 5, 1, 2, 3, 4], // fixed32
      [(12 << 3) | 2, 2, 0x41, 0x42], // length-delimited
      [(4 << 3) | 2, 1, 0x78], // the field after args, length-delimited like them: not an argument
      [(1 << 3) | 0, 5], // command as a varint: not a string, skipped
      [0x12, 1, 0x6b],
      [0x1a, 1, 0x66],
    );
    expect(decodeCommandRequest(wire)).toEqual({ name: 'HGET', key: 'k', args: ['f'], argCount: 1 });
  });

  it('decodes at most maxArgs arguments and counts the rest', () => {
    const wire = encodeRequest({ command: 'RPUSH', key: 'q', args: ['a', 'b', 'c', 'd'].map((s) => Buffer.from(s)) });
    expect(decodeCommandRequest(wire, 2)).toEqual({ name: 'RPUSH', key: 'q', args: ['a', 'b'], argCount: 4 });
    expect(decodeCommandRequest(wire, 4).args).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps the last of a repeated singular field, as protobuf does', () => {
    const wire = concat([0x0a, 1, 0x41], [0x0a, 1, 0x42]);
    expect(decodeCommandRequest(wire).name).toBe('B');
  });

  it('keeps a key that is not UTF-8 as its bytes', () => {
    expect(decodeCommandRequest(concat([0x12, 2, 0xc3, 0x28])).key).toBe('\xc3\x28');
  });

  it('refuses truncated and malformed messages with a RangeError', () => {
    const bad = [
      [0x0a], // no length
      [0x0a, 5, 0x41], // length past the end
      [0x1a, 0x80], // truncated length varint
      [(9 << 3) | 1, 1, 2], // fixed64 past the end
      [(9 << 3) | 5, 1], // fixed32 past the end
      [(9 << 3) | 3], // a group
      [(9 << 3) | 7], // no such wire type
      [(9 << 3) | 0, ...Array<number>(11).fill(0x80), 0], // a varint over 10 bytes
    ];
    for (const b of bad) expect(() => decodeCommandRequest(Buffer.from(b)), JSON.stringify(b)).toThrow(RangeError);
  });

  it('either decodes or throws a RangeError on random bytes', () => {
    const rand = lcg(11);
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
      try {
        const d = decodeCommandRequest(b);
        expect(typeof d.name).toBe('string');
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
      }
    }
  });
});

describe('encodeCommandResponse', () => {
  it('writes the bytes proto-loader writes', () => {
    const cases = [
      { response: Buffer.from([0x01]) },
      { response: Buffer.alloc(200, 9) },
      { response: Buffer.alloc(70_000, 3) },
      { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
      { error: 'ERR clé' },
      { error: 'E' },
      {},
    ];
    for (const m of cases) {
      const ours = encodeCommandResponse(m);
      expect(ours.equals(run.responseSerialize(m))).toBe(true);
      const back = decodeResponse(ours);
      expect(back.response).toEqual(m.response ?? Buffer.alloc(0));
      expect(back.error).toBe(m.error ?? '');
    }
  });
});

describe('withCommandCodec', () => {
  it('replaces only the server-side halves of the two command methods', () => {
    const served = withCommandCodec(service, 1);
    const wire = encodeRequest({ command: 'HSET', key: 'k', args: [Buffer.from('f'), Buffer.from('v')] });
    expect(Object.keys(served).sort()).toEqual(Object.keys(service).sort());
    for (const name of ['RunCommand', 'StreamCommand']) {
      expect(served[name]!.requestDeserialize(wire)).toEqual({ name: 'HSET', key: 'k', args: ['f'], argCount: 2 });
      expect(served[name]!.responseSerialize).toBe(encodeCommandResponse);
      expect(served[name]!.requestSerialize).toBe(service[name]!.requestSerialize);
      expect(served[name]!.path).toBe(service[name]!.path);
    }
    expect(served.Healthcheck).toBe(service.Healthcheck);
  });

  it('marks malformed bytes instead of throwing, so the server refuses that request alone', () => {
    const served = withCommandCodec(service, 1);
    for (const name of ['RunCommand', 'StreamCommand']) {
      expect(served[name]!.requestDeserialize(Buffer.from([0x0a, 5, 0x41]))).toEqual({
        name: '', key: '', args: [], argCount: 0, malformed: 'field length past the end of the message',
      });
    }
  });
});
