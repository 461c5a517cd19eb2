import { Deque } from '../store/index.js';
import { Waiters } from './waiters.js';

/** Where a pipeline writes; a gRPC duplex call in production, a recorder in tests. */
export interface PipelineSink<T> {
  /** Returns false when the transport's buffer is full; `onDrain` is called when it empties. */
  write(message: T): boolean;
  pauseInput(): void;
  resumeInput(): void;
  end(): void;
}

/**
 * Answers a stream's requests in request order while letting them complete in any order.
 * Reading pauses when `maxInFlight` replies are pending or the transport pushes back, and
 * resumes when both have room again, so a fast writer cannot grow memory without bound.
 */
export class StreamPipeline<T> {
  private queue = new Deque<{ done: boolean; value?: T }>();
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
      this.queue.pushBack({ done: true, value: reply });
      this.flush();
      return;
    }
    const slot: { done: boolean; value?: T } = { done: false };
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
    const slot: { done: boolean; value?: T } = { done: false };
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
    this.queue = new Deque();
    this.roomWaiters.wakeAll();
  }

  private fill(slot: { done: boolean; value?: T }, value: T): void {
    slot.done = true;
    slot.value = value;
    this.flush();
  }

  private flush(): void {
    while (!this.closed && !this.transportFull && this.queue.at(0)?.done === true) {
      const slot = this.queue.popFront()!;
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
