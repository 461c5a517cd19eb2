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
  private readonly queue: Array<{ done: boolean; value?: T }> = [];
  private head = 0;
  private inputEnded = false;
  private inputPaused = false;
  private transportFull = false;
  private closed = false;

  constructor(
    private readonly sink: PipelineSink<T>,
    private readonly maxInFlight: number,
  ) {}

  /** Adds the next reply, ready now or later. */
  push(reply: T | Promise<T>): void {
    if (this.closed) return;
    if (!(reply instanceof Promise)) {
      this.queue.push({ done: true, value: reply });
      this.flush();
      return;
    }
    const slot: { done: boolean; value?: T } = { done: false };
    this.queue.push(slot);
    void reply.then((value) => {
      slot.done = true;
      slot.value = value;
      this.flush();
    });
    this.updateFlow();
  }

  onDrain(): void {
    this.transportFull = false;
    this.flush();
  }

  endInput(): void {
    this.inputEnded = true;
    this.flush();
  }

  cancel(): void {
    this.closed = true;
    this.queue.length = 0;
    this.head = 0;
  }

  private flush(): void {
    while (!this.closed && !this.transportFull && this.head < this.queue.length) {
      const slot = this.queue[this.head]!;
      if (!slot.done) break;
      this.queue[this.head] = undefined as never;
      this.head++;
      if (!this.sink.write(slot.value as T)) this.transportFull = true;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (!this.closed && this.inputEnded && this.head === this.queue.length) {
      this.closed = true;
      this.sink.end();
      return;
    }
    this.updateFlow();
  }

  private updateFlow(): void {
    const pending = this.queue.length - this.head;
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
