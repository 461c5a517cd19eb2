import { describe, expect, it } from 'vitest';
import { StreamPipeline, type PipelineSink } from './stream-pipeline.js';

function recorder(capacity = Infinity) {
  const written: number[] = [];
  const events: string[] = [];
  const sink: PipelineSink<number> & { ended: boolean } = {
    ended: false,
    write(n) {
      written.push(n);
      return written.length < capacity;
    },
    pauseInput: () => events.push('pause'),
    resumeInput: () => events.push('resume'),
    end() {
      this.ended = true;
    },
  };
  return { sink, written, events };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('StreamPipeline', () => {
  it('answers in request order when later requests finish first', async () => {
    const { sink, written } = recorder();
    const p = new StreamPipeline(sink, 16);
    const first = deferred<number>();
    p.push(first.promise);
    p.push(2);
    p.push(Promise.resolve(3));
    await Promise.resolve();
    expect(written).toEqual([]);
    first.resolve(1);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([1, 2, 3]);
  });

  it('maps settled results in request order, an error or a throwing mapper to the error reply', async () => {
    const { sink, written } = recorder();
    const p = new StreamPipeline(sink, 16);
    const first = deferred<string>();
    const toLength = (s: string) => {
      if (s === 'bad') throw new Error('cannot map');
      return s.length;
    };
    const toMinusOne = () => -1;
    p.pushSettled(first.promise, toLength, toMinusOne);
    p.pushSettled(Promise.reject(new Error('refused')), toLength, toMinusOne);
    p.pushSettled(Promise.resolve('bad'), toLength, toMinusOne);
    p.push(9);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([]);
    first.resolve('four');
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([4, -1, -1, 9]);
  });

  it('ends the response only after every reply is written', async () => {
    const { sink, written } = recorder();
    const p = new StreamPipeline(sink, 16);
    const slow = deferred<number>();
    p.push(slow.promise);
    p.endInput();
    expect(sink.ended).toBe(false);
    slow.resolve(7);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([7]);
    expect(sink.ended).toBe(true);
  });

  it('pauses reading at the in-flight limit and resumes when replies complete', async () => {
    const { sink, events } = recorder();
    const p = new StreamPipeline(sink, 2);
    const a = deferred<number>();
    const b = deferred<number>();
    p.push(a.promise);
    expect(events).toEqual([]);
    p.push(b.promise);
    expect(events).toEqual(['pause']);
    a.resolve(1);
    b.resolve(2);
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['pause', 'resume']);
  });

  it('holds replies while the transport is full and continues on drain', () => {
    const { sink, written, events } = recorder(1);
    const p = new StreamPipeline(sink, 16);
    p.push(1);
    p.push(2);
    expect(written).toEqual([1]);
    expect(events).toEqual(['pause']);
    p.onDrain();
    expect(written).toEqual([1, 2]);
  });

  it('drops pending replies after cancel', async () => {
    const { sink, written } = recorder();
    const p = new StreamPipeline(sink, 16);
    const a = deferred<number>();
    p.push(a.promise);
    p.cancel();
    a.resolve(1);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([]);
  });

  it('says when the transport has room: now, on drain, or never once cancelled', async () => {
    const { sink } = recorder(1);
    const p = new StreamPipeline(sink, 16);
    expect(p.whenRoom()).toBeUndefined();
    p.push(1); // the transport is full after it
    let roomed = false;
    void p.whenRoom()!.then(() => (roomed = true));
    await new Promise((r) => setImmediate(r));
    expect(roomed).toBe(false);
    p.onDrain();
    await new Promise((r) => setImmediate(r));
    expect(roomed).toBe(true);
    p.push(2);
    let settled = false;
    void p.whenRoom()!.then(() => (settled = true));
    p.cancel();
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(true);
    expect(p.isClosed).toBe(true);
    expect(p.whenRoom()).toBeUndefined();
  });

  it('reports the bytes of ready replies that wait, and gives them back when written or cancelled', async () => {
    const { sink: base } = recorder(1);
    let held = 0;
    const sink: PipelineSink<number> = { ...base, write: base.write.bind(base), end: base.end.bind(base), heldBytes: (d) => (held += d), sizeOf: (n) => n };
    const p = new StreamPipeline(sink, 16);
    p.push(10); // written at once (the transport is full after it): never counted
    expect(held).toBe(0);
    p.push(20);
    const late = deferred<number>();
    p.push(late.promise);
    p.push(30);
    expect(held).toBe(50); // 20 and 30 wait for the transport
    late.resolve(40);
    await new Promise((r) => setImmediate(r));
    expect(held).toBe(90);
    p.onDrain(); // one more written (recorder(1) is full again at once)
    expect(held).toBe(70);
    p.cancel();
    expect(held).toBe(0);
  });
});
