import { describe, expect, it } from 'vitest';
import { callSink, MAX_BUFFERED_REPLY_BYTES, type WritableCall } from './call-sink.js';

/**
 * A call that, like grpc-js's, refuses (returns false) from its 16th buffered reply on, and runs
 * each write's callback once `flushed` says the buffer went out.
 */
function fakeCall(highWaterMark = 16): WritableCall<string> & { flushed(): void; events: string[] } {
  const buffered: Array<() => void> = [];
  const events: string[] = [];
  return {
    events,
    write(_message, done) {
      buffered.push(done);
      return buffered.length < highWaterMark;
    },
    get writableLength() {
      return buffered.length;
    },
    flushed: () => buffered.splice(0).forEach((done) => done()),
    pause: () => events.push('pause'),
    resume: () => events.push('resume'),
    end: () => events.push('end'),
  };
}

describe('callSink', () => {
  it('has room past grpc-js\'s 16 replies, up to the stream\'s reply limit', () => {
    const call = fakeCall();
    const sink = callSink(call, 64, (m) => m.length);
    const room: boolean[] = [];
    for (let i = 0; i < 64; i++) room.push(sink.write('r'));
    expect(room.slice(0, 63).every(Boolean)).toBe(true);
    expect(room[63]).toBe(false); // 64 buffered: the pipeline pauses and waits for 'drain'
  });

  // Found by a review: 16 replies of 10 MB per stream waited in grpc-js, counted nowhere.
  it('has no room once the bytes handed to grpc-js reach the bound, even while grpc-js takes writes', () => {
    const call = fakeCall();
    const big = 'x'.repeat(MAX_BUFFERED_REPLY_BYTES / 4);
    const sink = callSink(call, 256, (m) => m.length);
    const room = [1, 2, 3, 4].map(() => sink.write(big));
    expect(room).toEqual([true, true, true, false]);
  });

  it('wakes the pipeline when the bytes it was full for go out, and not before', () => {
    const call = fakeCall();
    const sink = callSink(call, 256, (m) => m.length);
    let woken = 0;
    sink.onRoom = () => woken++;
    expect(sink.write('x'.repeat(MAX_BUFFERED_REPLY_BYTES))).toBe(false);
    expect(woken).toBe(0);
    call.flushed();
    expect(woken).toBe(1);
    expect(sink.write('r')).toBe(true);
  });

  it('reports the bytes waiting in grpc-js, and gives back what a cancelled call never sends', () => {
    const call = fakeCall();
    let held = 0;
    const sink = callSink(call, 256, (m) => m.length, (delta) => (held += delta));
    sink.write('abc');
    sink.write('de');
    expect(held).toBe(5);
    call.flushed();
    expect(held).toBe(0);
    sink.write('fgh');
    sink.release();
    expect(held).toBe(0);
    call.flushed(); // a callback after the release changes nothing
    expect(held).toBe(0);
    expect(sink.write('late')).toBe(false);
    expect(held).toBe(0);
  });

  it('writes nothing when reporting its bytes closed the stream', () => {
    const call = fakeCall();
    const sink = callSink(call, 256, (m) => m.length, (delta) => {
      if (delta > 0) sink.release(); // max_client_memory closed this stream
    });
    expect(sink.write('abc')).toBe(false);
    expect(call.writableLength).toBe(0);
  });

  it('passes pause, resume and end through', () => {
    const call = fakeCall();
    const sink = callSink(call, 16, (m) => m.length);
    sink.pauseInput();
    sink.resumeInput();
    sink.end();
    expect(call.events).toEqual(['pause', 'resume', 'end']);
  });
});
