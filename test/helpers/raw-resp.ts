import { connect, type Socket } from 'node:net';

/**
 * A bare RESP2 client for comparing servers byte for byte: it sends each command as an array of
 * bulk strings and returns the reply exactly as the server wrote it (latin1 text), so nothing
 * a client library would smooth over (nil vs empty array, error wording) is hidden.
 */
export class RawResp {
  private buffered = Buffer.alloc(0);
  private waiting: { resolve: (reply: string) => void; reject: (err: Error) => void } | undefined;
  private closedWith: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.settle();
    });
    const closed = (err?: Error) => {
      this.closedWith = err ?? new Error('connection closed');
      this.waiting?.reject(this.closedWith);
      this.waiting = undefined;
    };
    socket.on('error', closed);
    socket.on('close', () => closed());
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RawResp> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    return new RawResp(socket);
  }

  /** Sends one command and resolves with its whole reply. One command at a time. */
  call(args: readonly string[]): Promise<string> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const parts = [`*${args.length}\r\n`];
    for (const a of args) parts.push(`$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(Buffer.from(parts.join(''), 'latin1'));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private settle(): void {
    if (!this.waiting) return;
    const end = replyEnd(this.buffered, 0);
    if (end < 0) return;
    const reply = this.buffered.subarray(0, end).toString('latin1');
    this.buffered = this.buffered.subarray(end);
    const { resolve } = this.waiting;
    this.waiting = undefined;
    resolve(reply);
  }
}

/**
 * The offset just past the RESP2 reply starting at `at`, or -1 if it is not all there yet; also
 * RESP3's types (null, double, boolean, big number, verbatim string, set, map), for a connection
 * switched by HELLO 3.
 */
export function replyEnd(buf: Buffer, at: number): number {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return -1;
  const type = String.fromCharCode(buf[at]!);
  const n = Number(buf.subarray(at + 1, eol).toString('latin1'));
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return eol + 2;
    case '$':
    case '=':
      if (n < 0) return eol + 2;
      return buf.length >= eol + 2 + n + 2 ? eol + 2 + n + 2 : -1;
    case '*':
    case '~':
    case '%': {
      let next = eol + 2;
      for (let i = 0; i < (type === '%' ? 2 * n : n); i++) {
        next = replyEnd(buf, next);
        if (next < 0) return -1;
      }
      return next;
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buf.subarray(at, eol).toString('latin1'))}`);
  }
}
