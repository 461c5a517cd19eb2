import { describe, expect, it } from 'vitest';
import { callSink, MAX_BUFFERED_REPLY_BYTES, type WritableCall } from './call-sink.js';

/** A call that, like grpc-js's, refuses (returns false) from its 16th buffered reply on. */
function fakeCall(highWaterMark = 16): WritableCall<string> & { flushed(): void; events: string[] } {
  const buffered: string[] = [];
  const events: string[] = [];
  return {
    events,
    write(message) {
      buffered.push(message);
      return buffered.length < highWaterMark;
    },
    get writableLength() {
      return buffered.length;
    },
    flushed: () => void buffered.splice(0),
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

  it('has no room once the replies grpc-js refused reach the byte bound', () => {
    const call = fakeCall();
    const big = 'x'.repeat(MAX_BUFFERED_REPLY_BYTES / 4);
    const sink = callSink(call, 256, (m) => m.length);
    for (let i = 0; i < 15; i++) expect(sink.write(big)).toBe(true); // under grpc-js's mark: not counted
    const room = [1, 2, 3, 4].map(() => sink.write(big));
    expect(room).toEqual([true, true, true, false]);
  });

  it('starts counting bytes again after grpc-js accepts a write', () => {
    const call = fakeCall();
    const big = 'x'.repeat(MAX_BUFFERED_REPLY_BYTES / 2);
    const sink = callSink(call, 256, (m) => m.length);
    for (let i = 0; i < 15; i++) sink.write('r');
    expect(sink.write(big)).toBe(true);
    call.flushed();
    expect(sink.write('r')).toBe(true);
    for (let i = 0; i < 14; i++) sink.write('r');
    expect(sink.write(big)).toBe(true); // half the bound since grpc-js last had room, not the whole
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
