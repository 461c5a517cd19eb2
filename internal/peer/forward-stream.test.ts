import { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { describe, expect, it, vi } from 'vitest';
import { encodeForwardBatch, type ForwardBatchMessage, type ForwardReplyBatchMessage } from '../wire/index.js';
import { ForwardStream } from './forward-stream.js';

/** A Forward call that records the batches written and answers when the test says. */
class FakeCall extends EventEmitter {
  readonly written: ForwardBatchMessage[] = [];
  /** What write returns: false while the peer reads slowly (the buffer is full). */
  accepting = true;
  write(batch: ForwardBatchMessage): boolean {
    this.written.push(batch);
    return this.accepting;
  }
  end(): void {}
  /** Answers the commands written so far, in reverse order, each with its id as the reply. */
  answerAll(error?: { code: string; message: string }): void {
    const replies = this.written
      .flatMap((b) => b.commands ?? [])
      .reverse()
      .map((c) => ({ id: c.id, response: Buffer.from([c.id]), error: error?.message ?? '', errorCode: error?.code ?? '' }));
    this.written.length = 0;
    this.emit('data', { replies } as ForwardReplyBatchMessage);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function forwardStream(maxBatch = 64, maxBatchBytes?: number) {
  const call = new FakeCall();
  const stream = new ForwardStream('peer', () => call as unknown as grpc.ClientDuplexStream<ForwardBatchMessage, ForwardReplyBatchMessage>, {
    timeoutMs: 1000,
    maxBatch,
    maxBatchBytes,
  });
  const send = (key: string) => stream.send({ name: 'HSET', key, args: ['f', 'v'], hops: 1 });
  return { call, stream, send };
}

describe('ForwardStream', () => {
  it('writes nothing more while the stream\'s buffer is full, and drops what times out meanwhile unwritten', async () => {
    // A leader that reads slowly: written anyway, every batch piled up in grpc-js's buffer,
    // commands that had already timed out included.
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const { call, stream, send } = forwardStream();
      call.accepting = false;
      const first = send('a');
      await tick();
      expect(call.written).toHaveLength(1); // its write said the buffer is full
      const waiting = Array.from({ length: 100 }, (_, i) => send(`k${i}`));
      await tick();
      expect(call.written).toHaveLength(1);
      vi.advanceTimersByTime(1001);
      await expect(Promise.all(waiting)).rejects.toMatchObject({ transport: true, maybeApplied: false });
      await expect(first).rejects.toMatchObject({ transport: true, maybeApplied: true });
      const later = send('b');
      call.accepting = true;
      call.emit('drain');
      await tick();
      expect(call.written.map((b) => b.commands?.map((c) => c.key))).toEqual([['a'], ['b']]); // none of the timed-out ones
      call.answerAll();
      expect((await later)[0]).toBe(102);
      stream.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends what queued while the buffer was full in batches of at most maxBatch, in order', async () => {
    // One message of everything queued meanwhile: the leader ran it all in one tick, and its
    // size was bounded only by limits.max_message_bytes.
    const { call, stream, send } = forwardStream(4);
    call.accepting = false;
    const first = send('a');
    await tick();
    const queued = Array.from({ length: 10 }, (_, i) => send(`k${i}`));
    await tick();
    expect(call.written).toHaveLength(1);
    call.accepting = true;
    call.emit('drain');
    await tick();
    expect(call.written.map((b) => b.commands.length)).toEqual([1, 4, 4, 2]);
    expect(call.written.flatMap((b) => b.commands.map((c) => c.key))).toEqual(['a', ...queued.map((_, i) => `k${i}`)]);
    call.answerAll();
    await Promise.all([first, ...queued]);
    stream.close();
  });

  it('stops writing again once the buffer is full, keeping the rest queued in order', async () => {
    const { call, stream, send } = forwardStream(4);
    call.accepting = false;
    const all = [send('a')];
    await tick();
    for (let i = 0; i < 10; i++) all.push(send(`k${i}`));
    await tick();
    call.emit('drain'); // drains, but the next batch fills the buffer again
    await tick();
    expect(call.written.map((b) => b.commands.length)).toEqual([1, 4]);
    call.accepting = true;
    call.emit('drain');
    await tick();
    expect(call.written.flatMap((b) => b.commands.map((c) => c.key))).toEqual(['a', ...Array.from({ length: 10 }, (_, i) => `k${i}`)]);
    call.answerAll();
    await Promise.all(all);
    stream.close();
  });

  it('sends the commands of one tick as one batch and matches replies to commands by id', async () => {
    const { call, stream, send } = forwardStream();
    const replies = [send('a'), send('b'), send('c')];
    expect(call.written).toHaveLength(0);
    await tick();
    expect(call.written.map((b) => b.commands?.length)).toEqual([3]);
    call.answerAll();
    expect((await Promise.all(replies)).map((b) => b[0])).toEqual([1, 2, 3]);
    stream.close();
  });

  it('sends a full batch at once', () => {
    const { call, stream, send } = forwardStream(2);
    const sent = [send('a'), send('b')];
    expect(call.written.map((b) => b.commands?.length)).toEqual([2]);
    stream.close(); // fails what is pending as a transport error
    return expect(Promise.all(sent)).rejects.toMatchObject({ transport: true });
  });

  it('rejects with the peer\'s command error, and with a transport error when the stream breaks', async () => {
    const { call, stream, send } = forwardStream();
    const refused = send('a');
    await tick();
    call.answerAll({ code: 'WRONGTYPE', message: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
    await expect(refused).rejects.toMatchObject({ code: 'WRONGTYPE' });
    // A code this node does not know (a newer peer's) is a plain ERR, its message kept.
    const unknown = send('u');
    await tick();
    call.answerAll({ code: 'NEWCODE', message: 'NEWCODE something new' });
    await expect(unknown).rejects.toMatchObject({ code: 'ERR', message: 'NEWCODE something new' });
    const lost = send('b');
    await tick();
    call.emit('end');
    await expect(lost).rejects.toMatchObject({ transport: true, maybeApplied: true });
    stream.close();
  });
});

describe('ForwardStream and limits.max_message_bytes', () => {
  it('fails a command that fits the limit alone but not beside its sender\'s id', async () => {
    // Written, grpc-js would refuse the message and break the stream, failing all it carried.
    const fromNodeId = 'n'.repeat(40);
    const call = new FakeCall();
    const stream = new ForwardStream('peer', () => call as unknown as grpc.ClientDuplexStream<ForwardBatchMessage, ForwardReplyBatchMessage>, {
      timeoutMs: 1000,
      maxBatch: 64,
      maxBatchBytes: 4096,
      origin: () => ({ nodeId: fromNodeId, incarnation: 1 }),
    });
    const command = (n: number) => ({ id: 1, name: 'SET', key: 'a', args: ['x'.repeat(n)], hops: 1, replicaRead: false });
    let n = 3900;
    while (encodeForwardBatch({ commands: [command(n)], fromNodeId, fromIncarnation: 1 }).length <= 4096) n++;
    expect(encodeForwardBatch({ commands: [command(n)], fromNodeId, fromIncarnation: 1 }).length - 4096).toBeLessThan(fromNodeId.length);
    const over = stream.send({ name: 'SET', key: 'a', args: ['x'.repeat(n)], hops: 1 });
    await expect(over).rejects.toMatchObject({ code: 'LIMIT' });
    expect(call.written).toHaveLength(0);
    stream.close();
  });

  it('fails a command too large for a message by itself, never written; the others go on the same stream', async () => {
    const { call, stream } = forwardStream(64, 4096);
    const small = stream.send({ name: 'HSET', key: 'a', args: ['f', 'v'], hops: 1 });
    const huge = stream.send({ name: 'HDEL', key: 'b', args: Array.from({ length: 600 }, (_, i) => `field${i}`), hops: 1 });
    const after = stream.send({ name: 'HSET', key: 'c', args: ['f', 'v'], hops: 1 });
    await expect(huge).rejects.toMatchObject({ code: 'LIMIT', message: expect.stringMatching(/^ERR command of \d+ bytes forwarded to its leader is over limits\.max_message_bytes \(4096\)$/) });
    expect(call.written.flatMap((b) => b.commands.map((c) => c.key))).toEqual(['a', 'c']);
    call.answerAll();
    expect((await Promise.all([small, after])).map((r) => r[0])).toEqual([1, 3]);
    stream.close();
  });

  it('still sends a command alone that is over the batch margin but fits the message', async () => {
    const { call, stream } = forwardStream(64, 4096);
    const big = stream.send({ name: 'SET', key: 'a', args: ['x'.repeat(3500)], hops: 1 }); // > 4096 - 1024, < 4096
    await tick();
    expect(call.written.flatMap((b) => b.commands.map((c) => c.key))).toEqual(['a']);
    call.answerAll();
    expect((await big)[0]).toBe(1);
    stream.close();
  });
});

/** Each open() makes a new call, as reopening a stream does. */
function reopening(timeoutMs = 1000) {
  const calls: FakeCall[] = [];
  const stream = new ForwardStream(
    'peer',
    () => {
      calls.push(new FakeCall());
      return calls.at(-1)! as unknown as grpc.ClientDuplexStream<ForwardBatchMessage, ForwardReplyBatchMessage>;
    },
    { timeoutMs, maxBatch: 64 },
  );
  const send = (key: string, arg = 'x') => stream.send({ name: 'RPUSH', key, args: [arg], hops: 1 });
  return { calls, stream, send };
}

describe('ForwardStream when a stream breaks with commands not yet written', () => {
  it('sends what queued behind a full buffer on the next stream when the full one breaks', async () => {
    const { calls, stream, send } = reopening();
    const carried = send('a');
    await tick();
    calls[0]!.accepting = false; // the next write fills the buffer
    const second = send('b');
    await tick();
    const queued = send('c'); // waits for a drain that will never come
    await tick();
    expect(calls[0]!.written.flatMap((b) => b.commands.map((c) => c.key))).toEqual(['a', 'b']);
    calls[0]!.emit('end');
    await expect(Promise.all([carried, second])).rejects.toMatchObject({ transport: true });
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.written.flatMap((b) => b.commands.map((c) => c.key))).toEqual(['c']);
    calls[1]!.answerAll();
    await expect(queued).resolves.toBeDefined();
    stream.close();
  });

  it('ignores a broken stream\'s late end once its replacement is open: the replacement stays in use', async () => {
    const { calls, stream, send } = reopening();
    const carried = send('a');
    await tick();
    calls[0]!.emit('error', { code: 14, details: 'Connection dropped' });
    await expect(carried).rejects.toMatchObject({ transport: true });
    const onSecond = send('b');
    await tick();
    expect(calls).toHaveLength(2);
    calls[0]!.emit('end'); // the old call's last event, late
    const later = send('c');
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.written.flatMap((b) => b.commands.map((c) => c.key))).toEqual(['b', 'c']);
    calls[1]!.answerAll();
    await expect(Promise.all([onSecond, later])).resolves.toHaveLength(2);
    stream.close();
  });


  it('fails only what the broken stream carried and sends the rest on the next stream', async () => {
    const { calls, stream, send } = reopening();
    const carried = send('a');
    await tick();
    expect(calls).toHaveLength(1);
    // Queued after the batch went out, then the stream fails before the next flush: the peer
    // refused the connection, so `a` was not applied, and `b` was never written anywhere.
    const queued = send('b');
    calls[0]!.emit('error', { code: 14, details: 'No connection established. Last error: connect ECONNREFUSED' });
    await expect(carried).rejects.toMatchObject({ transport: true, maybeApplied: false });
    await tick();
    // Had `b` been failed as "not applied" and then written anyway, a client retrying it would
    // apply it twice.
    expect(calls).toHaveLength(2);
    expect(calls[1]!.written.flatMap((b) => b.commands ?? []).map((c) => String(c.key))).toEqual(['b']);
    calls[1]!.answerAll();
    await expect(queued).resolves.toBeDefined();
    stream.close();
  });

  it('fails what it carried as maybe applied when the peer had answered the call before the error', async () => {
    // The peer sent its headers: it had the connection and may have run the batch, whatever
    // words the error uses. Called refused, a client retrying an RPUSH would push twice.
    const { calls, stream, send } = reopening();
    const carried = send('a');
    await tick();
    calls[0]!.emit('metadata');
    calls[0]!.emit('error', { code: 14, details: 'No connection established. Last error: connect ECONNREFUSED' });
    await expect(carried).rejects.toMatchObject({ transport: true, maybeApplied: true });
    stream.close();
  });
});

describe('ForwardStream when a command times out before its batch is written', () => {
  it('fails it as not applied and never sends it', async () => {
    const { calls, stream, send } = reopening(20);
    // Sent from a check-phase callback, then the loop is held for longer than the timeout: the
    // next loop turn runs the expired timer before the flush (a check-phase callback), as after
    // a SIGSTOP or a long pause.
    // Wrapped: resolving with the promise itself would adopt its rejection.
    const { late } = await new Promise<{ late: Promise<Uint8Array> }>((resolve) =>
      setImmediate(() => {
        const reply = send('k');
        reply.catch(() => undefined);
        const until = Date.now() + 60;
        while (Date.now() < until) {
          // hold the event loop, as a stopped process would
        }
        resolve({ late: reply });
      }),
    );
    await expect(late).rejects.toMatchObject({ transport: true, maybeApplied: false });
    await tick();
    expect(calls.flatMap((c) => c.written)).toEqual([]);
    // A command queued in time still goes out.
    const onTime = send('k', 'y');
    await tick();
    expect(calls.flatMap((c) => c.written.flatMap((b) => b.commands ?? [])).map((c) => String(c.args?.[0]))).toEqual(['y']);
    calls[0]!.answerAll();
    await expect(onTime).resolves.toBeDefined();
    stream.close();
  });
});

describe('ForwardStream timeouts', () => {
  it('fails each unanswered command at its own deadline, with one timer for all', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
    try {
      const { calls, stream, send } = reopening(1000);
      const settled: string[] = [];
      const track = (name: string, p: Promise<Uint8Array>) =>
        p.then(
          () => settled.push(`${name} answered`),
          (err: { maybeApplied?: boolean }) => settled.push(`${name} failed, maybe applied: ${err.maybeApplied}`),
        );
      const flushMicrotasks = () => new Promise<void>((r) => queueMicrotask(r)).then(() => undefined);
      void track('a', send('a'));
      vi.advanceTimersByTime(500); // a is written at once (its flush), b half a timeout later
      void track('b', send('b'));
      vi.advanceTimersByTime(500); // a's deadline; b is written and never answered
      await flushMicrotasks();
      expect(settled).toEqual(['a failed, maybe applied: true']);
      vi.advanceTimersByTime(499);
      await flushMicrotasks();
      expect(settled).toHaveLength(1);
      vi.advanceTimersByTime(1); // b's deadline: the one timer was set again for it
      await flushMicrotasks();
      expect(settled).toEqual(['a failed, maybe applied: true', 'b failed, maybe applied: true']);
      // Answered in time: it never fails, and the timer is gone once nothing is pending.
      const c = track('c', send('c'));
      vi.advanceTimersByTime(1);
      calls[0]!.answerAll();
      await c;
      vi.advanceTimersByTime(2000);
      expect(settled.at(-1)).toBe('c answered');
      expect(settled).toHaveLength(3);
      expect(vi.getTimerCount()).toBe(0);
      stream.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
