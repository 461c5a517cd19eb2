import { Deque } from '../store/index.js';
import { Waiters } from './waiters.js';

/** Where a pipeline writes; a gRPC duplex call in production, a recorder in tests. */
export interface PipelineSink<T> {
  /** Returns false when the transport's buffer is full; `onDrain` is called when it empties. */
  write(message: T): boolean;
  pauseInput(): void;
  resumeInput(): void;
  end(): void;
  /**
   * Optional, with `sizeOf`: told by how many bytes the replies that are ready but wait here
   * (behind an earlier reply, or for the transport) changed, so a server can bound them over all
   * its clients. A reply written as soon as it is ready is never counted.
   */
  heldBytes?(delta: number): void;
  sizeOf?(message: T): number;
}

/** A reply's place in the stream: ready or not, and the bytes reported held while it waits. */
interface Slot<T> {
  done: boolean;
  value: T | undefined;
  written: boolean;
  held: number;
}

/**
 * Answers a stream's requests in request order while letting them complete in any order.
 * Reading pauses when `maxInFlight` replies are pending or the transport pushes back, and
 * resumes when both have room again, so a fast writer cannot grow memory without bound.
 */
export class StreamPipeline<T> {
  private queue = new Deque<Slot<T>>();
  private inputEnded = false;
  private inputPaused = false;
  private transportFull = false;
  private closed = false;
  /** Waiting for the transport to have room (whenRoom). */
  private readonly roomWaiters = new Waiters();

  constructor(
    private readonly sink: PipelineSink<T>,
    private readonly maxInFlight: number,
  ) {}

  /** Adds the next reply, ready now or later. */
  push(reply: T | Promise<T>): void {
    if (this.closed) return;
    if (!(reply instanceof Promise)) {
      const slot: Slot<T> = { done: true, value: reply, written: false, held: 0 };
      this.queue.pushBack(slot);
      this.flush();
      this.holdIfWaiting(slot);
      return;
    }
    const slot: Slot<T> = { done: false, value: undefined, written: false, held: 0 };
    this.queue.pushBack(slot);
    void reply.then((value) => this.fill(slot, value));
    this.updateFlow();
  }

  /**
   * Adds the reply that `onValue` or `onError` makes of `result` once it settles: one promise
   * layer where `push(result.then(onValue, onError))` takes two. If `onValue` throws, the reply
   * is `onError`'s, so the stream never waits on a slot that will not fill.
   */
  pushSettled<R>(result: Promise<R>, onValue: (value: R) => T, onError: (err: unknown) => T): void {
    if (this.closed) return;
    const slot: Slot<T> = { done: false, value: undefined, written: false, held: 0 };
    this.queue.pushBack(slot);
    void result.then(
      (value) => {
        let reply: T;
        try {
          reply = onValue(value);
        } catch (err) {
          reply = onError(err);
        }
        this.fill(slot, reply);
      },
      (err: unknown) => this.fill(slot, onError(err)),
    );
    this.updateFlow();
  }

  onDrain(): void {
    this.transportFull = false;
    this.roomWaiters.wakeAll();
    this.flush();
  }

  /** Cancelled, or ended with every reply written: nothing pushed now is ever written. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Settles once the transport has room for a reply, or the pipeline closes: undefined when it
   * has room now. A command with a large reply may wait on it before it starts, so a client
   * that does not read holds one such reply, not one per command in flight.
   */
  whenRoom(): Promise<void> | undefined {
    if (this.closed || !this.transportFull) return undefined;
    return this.roomWaiters.wait();
  }

  endInput(): void {
    this.inputEnded = true;
    this.flush();
  }

  cancel(): void {
    this.closed = true;
    let held = 0;
    for (const slot of this.queue) held += slot.held;
    if (held > 0) this.sink.heldBytes?.(-held);
    this.queue = new Deque();
    this.roomWaiters.wakeAll();
  }

  private fill(slot: Slot<T>, value: T): void {
    slot.done = true;
    slot.value = value;
    this.flush();
    this.holdIfWaiting(slot);
  }

  /** Counts a ready reply that flush could not write (see PipelineSink.heldBytes). */
  private holdIfWaiting(slot: Slot<T>): void {
    if (slot.written || this.closed || this.sink.heldBytes === undefined) return;
    slot.held = this.sink.sizeOf!(slot.value as T);
    this.sink.heldBytes(slot.held);
  }

  private flush(): void {
    while (!this.closed && !this.transportFull && this.queue.at(0)?.done === true) {
      const slot = this.queue.popFront()!;
      slot.written = true;
      if (slot.held > 0) this.sink.heldBytes?.(-slot.held);
      if (!this.sink.write(slot.value as T)) this.transportFull = true;
    }
    if (!this.closed && this.inputEnded && this.queue.length === 0) {
      this.closed = true;
      this.roomWaiters.wakeAll();
      this.sink.end();
      return;
    }
    this.updateFlow();
  }

  private updateFlow(): void {
    const pending = this.queue.length;
    const shouldPause = this.transportFull || pending >= this.maxInFlight;
    if (shouldPause && !this.inputPaused) {
      this.inputPaused = true;
      this.sink.pauseInput();
    } else if (!shouldPause && this.inputPaused) {
      this.inputPaused = false;
      this.sink.resumeInput();
    }
  }
}
