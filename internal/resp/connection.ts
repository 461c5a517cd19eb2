import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { asciiUpper, lookupCommand, routingKey, type BinStr, type CommandSpec, type Reply } from '../command/index.js';
import { GokvError, isGokvError, printable, type ErrorCode } from '../errors/index.js';
import { StreamPipeline, Waiters, type CommandService, type ServedCommand } from '../server/index.js';
import type { ClientInfo } from './clients.js';
import { NIL, NIL_ARRAY, error } from './encode.js';
import { KeyOrder } from './key-order.js';
import { ARG_OVERHEAD_BYTES, RespParser, RespProtocolError, type ParserLimits } from './parser.js';
import { flatPairsToResp, replyToResp } from './reply-to-resp.js';
import { sessionHandler, type SessionContext, type SessionHandler, type SessionReply } from './session-commands.js';

export interface ConnectionParts {
  readonly service: CommandService;
  readonly log: Logger;
  readonly limits: ParserLimits;
  readonly maxInFlight: number;
  readonly onCommand: () => void;
  /** A session command (answered here, not by the service) ended: see RespServerDeps. */
  readonly onSessionCommand: (name: string, outcome: 'ok' | ErrorCode, seconds: number) => void;
  readonly onClose: () => void;
  /** The client sent an HTTP request (see looksLikeHttp); the connection is being closed. */
  readonly onHttpRequest: (client: string) => void;
  /** The bytes this connection holds for its client changed by `delta` (see heldBytes). */
  readonly onHeldBytes: (delta: number) => void;
}

/** How a cluster reply is reshaped for RESP (Redis's reply types where gokv's differ). */
type Shape = 'plain' | 'first' | 'nilArray' | 'pairs';

const BARRIERS = new Set(['DBSIZE', 'FLUSHALL', 'FLUSHDB', 'KEYS']);
/** The barriers that write. */
const FLUSHES = new Set(['FLUSHALL', 'FLUSHDB']);
/** V8 builds no string past about 512 MB (2^29 - 24 characters), so no RESP reply can be longer. */
const REPLY_TOO_LONG = 'ERR reply too large to send over RESP (over 512 MB): ask for less at once';
/** Why a read was not run: its connection closed first. Nobody reads it. */
const CLIENT_GONE = new GokvError('ERR', 'ERR the client closed the connection');

/** How long a connection whose replies all went out waits for the client to close its side. */
const CLOSE_LINGER_MS = 1000;

/**
 * Replies joined past this many bytes go to the socket at once rather than at the end of the
 * turn: one read chunk of `GET` on a 1 MB value made a string past V8's limit, and the node
 * crashed with "Invalid string length", once reading no longer stopped on a full socket.
 */
const FLUSH_AT_BYTES = 1 << 20;

/** Replies waiting unsent past which no more commands run until the socket drains (see the class). */
const OUTPUT_PAUSE_BYTES = 8 << 20;

/**
 * One client connection: parse requests, run them (session commands here, everything else
 * through the CommandService, concurrently where keys differ: KeyOrder), and write replies in
 * request order (StreamPipeline). Running stops while `maxInFlight` replies are pending or
 * OUTPUT_PAUSE_BYTES of replies wait unsent, and resumes when both have room; the socket is
 * read all the while, and what waits in the parser counts toward limits.max_client_memory. A
 * client that sends a whole pipeline before reading any reply (redis-py, Jedis, go-redis)
 * deadlocked when reading stopped too: it blocked in its send, the node in its wait for the
 * client to read. A protocol error is answered and closes this connection only.
 */
export class RespConnection {
  private readonly parser: RespParser;
  private readonly pipeline: StreamPipeline<string>;
  private readonly order = new KeyOrder();
  private paused = false;
  private draining = false;
  private ending = false;
  /** The client shut its side: end ours once every command it sent has run. */
  private peerEnded = false;
  private closed = false;
  /** Replies ready to go, written as one string per batch (see write). */
  private out = '';
  private flushQueued = false;
  private markClosed!: () => void;
  /** Resolved when the socket drains or the connection closes (whenDrained). */
  private readonly drainWaiters = new Waiters();
  private lingerTimer: NodeJS.Timeout | undefined;
  /** What this connection last reported of the bytes it holds (RespServer sums them). */
  private reportedBytes = 0;
  /** Replies ready but waiting in the pipeline (behind an earlier one, or for the socket). */
  private waitingReplyBytes = 0;
  /** Commands read in full and waiting behind an earlier one of this connection (KeyOrder). */
  private waitingCommandBytes = 0;
  /** Set by QUIT: reading stops once its reply is queued. */
  private quitting = false;
  /** Settles once the socket is closed (however it closed). */
  readonly whenClosed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    private readonly socket: Socket,
    private readonly session: SessionContext,
    private readonly parts: ConnectionParts,
  ) {
    this.parser = new RespParser(parts.limits);
    this.pipeline = new StreamPipeline<string>(
      {
        write: (resp) => this.write(resp),
        // Only running stops: the socket is still read (see the class).
        pauseInput: () => {
          this.paused = true;
        },
        resumeInput: () => {
          this.paused = false;
          // Commands parsed but not run yet wait in the parser's buffer: run them now.
          if (!this.draining) queueMicrotask(() => this.drain());
        },
        end: () => this.closeAfterReplies(),
        // Replies that pile up (forwarded ones completing while the client does not read) count
        // toward limits.max_client_memory with the requests.
        heldBytes: (delta) => {
          this.waitingReplyBytes += delta;
          this.countHeld(); // may close this connection
        },
        sizeOf: (resp) => resp.length,
      },
      parts.maxInFlight,
    );
    socket.on('data', (chunk: Buffer) => {
      if (this.ending) return; // nothing more runs: dropped (see closeAfterReplies)
      this.parser.push(chunk);
      this.countHeld(); // may close this connection (limits.max_client_memory)
      if (!this.closed) this.drain();
    });
    socket.on('drain', () => {
      this.countHeld();
      this.drainWaiters.wakeAll();
      this.pipeline.onDrain();
    });
    socket.on('end', () => {
      this.peerEnded = true;
      this.drain();
    });
    socket.on('error', (err) => {
      parts.log.debug({ err, client: session.client.addr }, 'resp connection error');
      this.close();
    });
    socket.on('close', () => this.close());
  }

  get client(): ClientInfo {
    return this.session.client;
  }

  /**
   * Bytes held for this client, as last counted: requests received and not yet run (the
   * parser's), and replies ready and not yet written to the socket.
   */
  get heldBytes(): number {
    return this.reportedBytes;
  }

  /** Reports a change in the bytes held for this client; none once closed. */
  private countHeld(): void {
    const now = this.closed ? 0 : this.parser.heldBytes + this.waitingReplyBytes + this.waitingCommandBytes + this.unsentBytes;
    if (now === this.reportedBytes) return;
    const delta = now - this.reportedBytes;
    this.reportedBytes = now;
    this.parts.onHeldBytes(delta);
  }

  /** Stops reading and running commands; pending replies are still written, then the socket is ended. */
  endInput(): void {
    if (this.ending) return;
    this.ending = true;
    this.socket.pause();
    this.pipeline.endInput();
  }

  /**
   * Every reply is queued: ends our side and closes, as Redis closes after QUIT or a protocol
   * error. Input is read again and dropped, so the client's FIN or reset is seen (paused, the
   * socket never saw it and the connection held a limits.max_clients slot for good); a client
   * that keeps its side open is cut off CLOSE_LINGER_MS after the last reply went out.
   */
  private closeAfterReplies(): void {
    this.flushOut();
    this.socket.end();
    this.socket.resume();
    this.socket.once('finish', () => {
      this.lingerTimer = setTimeout(() => this.close(), CLOSE_LINGER_MS);
      this.lingerTimer.unref();
    });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.lingerTimer);
    this.pipeline.cancel();
    this.drainWaiters.wakeAll();
    this.countHeld();
    if (!this.socket.destroyed) this.socket.destroy();
    this.parts.onClose();
    this.markClosed();
  }

  /** Closes at once, replies in flight or not. */
  destroy(): void {
    this.close();
  }

  /** Closed for limits.max_client_memory (ClientMemory): at once, as Redis evicts a client. */
  evict(): void {
    this.close();
  }

  /** Runs every complete command buffered, until input pauses or the connection is ending. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    // One clock read per batch: CLIENT LIST shows idle time in whole seconds.
    const at = this.session.elapsed();
    try {
      while (!this.paused && !this.ending && !this.closed) {
        let argv: BinStr[] | undefined;
        try {
          argv = this.parser.next();
        } catch (err) {
          if (!(err instanceof RespProtocolError)) throw err;
          this.parts.log.debug({ client: this.session.client.addr, err: err.message }, 'resp protocol error');
          this.pipeline.push(error(err.message));
          this.endInput();
          break;
        }
        if (argv === undefined) {
          if (this.peerEnded) this.endInput();
          break;
        }
        if (looksLikeHttp(argv)) {
          this.parts.onHttpRequest(this.session.client.addr);
          this.close();
          break;
        }
        this.pipeline.push(this.run(argv, at));
        // QUIT: its +OK is queued now; the socket ends once every reply before it is written.
        if (this.quitting) {
          this.endInput();
          break;
        }
      }
    } finally {
      this.draining = false;
      this.countHeld();
      this.scheduleFlush();
    }
  }

  /**
   * Queues a reply. Replies are joined and written once per turn of the event loop, after it has
   * read every socket that had data (setImmediate runs after the poll phase): one socket write
   * per batch instead of one per reply, and, as Redis does before it sleeps, the writes to all
   * clients after all the reads, so a client is woken once per turn. Returns false once
   * OUTPUT_PAUSE_BYTES wait unsent: the pipeline then runs nothing more until 'drain' (which
   * comes: the socket holds most of those bytes past its high-water mark).
   */
  private write(resp: string): boolean {
    this.out += resp;
    if (this.out.length >= FLUSH_AT_BYTES) this.flushOut();
    else if (!this.draining) this.scheduleFlush();
    return this.unsentBytes < OUTPUT_PAUSE_BYTES;
  }

  /**
   * Settles once the socket drains or the connection closes. Past OUTPUT_PAUSE_BYTES a drain
   * always comes: most of those bytes are in the socket's buffer, past its high-water mark.
   */
  private whenDrained(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.drainWaiters.wait();
  }

  /** Replies queued or in the socket's buffer, not yet taken by the kernel. */
  private get unsentBytes(): number {
    return this.out.length + this.socket.writableLength;
  }

  private scheduleFlush(): void {
    if (this.flushQueued || this.out === '') return;
    this.flushQueued = true;
    setImmediate(() => this.flushOut());
  }

  private flushOut(): void {
    this.flushQueued = false;
    if (this.out === '' || this.closed) return;
    const data = this.out;
    this.out = '';
    // Counted now (what the kernel did not take is in writableLength), and again once written:
    // a write the kernel takes in part, under the high-water mark, has no 'drain' to come.
    this.socket.write(data, 'latin1', this.afterWrite);
    this.countHeld(); // may close this connection (limits.max_client_memory)
  }

  private readonly afterWrite = (): void => this.countHeld();

  /** One command's RESP reply, now or later; never throws, never rejects. */
  private run(argv: BinStr[], at: number): string | Promise<string> {
    const name = argv[0]!;
    const client = this.session.client;
    client.lastCommandAtMs = at;
    client.lastCommand = name; // made printable when CLIENT INFO shows it
    this.parts.onCommand();
    try {
      const refused = client.inRefusedMulti ? this.refuseInMulti(name) : undefined;
      if (refused !== undefined) return refused;
      const handler = sessionHandler(name);
      if (handler !== undefined) return this.sessionCommand(name, argv, handler);
      return this.clusterCommand(name, argv);
    } catch (err) {
      return this.errorReply(err);
    }
  }

  /** A command answered here, counted as the service path counts the others (onSessionCommand). */
  private sessionCommand(name: string, argv: BinStr[], handler: SessionHandler): string | Promise<string> {
    const start = this.session.elapsed();
    const done = (outcome: 'ok' | ErrorCode) => this.parts.onSessionCommand(name, outcome, (this.session.elapsed() - start) / 1000);
    const failed = (err: unknown): string => {
      done(isGokvError(err) ? err.code : 'INTERNAL');
      return this.errorReply(err);
    };
    let answer: SessionReply;
    try {
      answer = handler(argv.slice(1), this.session);
    } catch (err) {
      return failed(err);
    }
    if (answer.close) this.quitting = true;
    const { reply } = answer;
    if (!(reply instanceof Promise)) {
      done('ok');
      return reply;
    }
    return reply.then((r) => {
      done('ok');
      return r;
    }, failed);
  }

  /**
   * gokv has no transactions, and client libraries send MULTI, the commands and EXEC in one
   * pipeline, reading the replies only at EXEC. Running those commands after refusing MULTI would
   * apply a transaction its client sees fail (and may retry). So after MULTI (session-commands.ts)
   * every command up to EXEC or DISCARD is refused too, and EXEC answers EXECABORT. QUIT still
   * quits and RESET still resets (ending the refusal), as inside a Redis MULTI (undefined: run it).
   */
  private refuseInMulti(name: string): string | undefined {
    const word = asciiUpper(name);
    if (word === 'QUIT' || word === 'RESET') return undefined;
    if (word === 'EXEC' || word === 'DISCARD') {
      this.session.client.inRefusedMulti = false;
      return word === 'EXEC' ? error('EXECABORT Transaction discarded: gokv does not support MULTI, so none of its commands ran') : '+OK\r\n';
    }
    if (word === 'MULTI') return error('ERR MULTI calls can not be nested');
    return error(`ERR '${printable(name)}' not run: gokv does not support MULTI, so the commands up to EXEC or DISCARD are refused`);
  }

  private clusterCommand(name: string, argv: BinStr[]): string | Promise<string> {
    const spec = lookupCommand(name);
    let command: ServedCommand = { name, key: argv[1] ?? '', args: argv.slice(2) };
    // An empty key means none, but `FLUSHALL ""` is not `FLUSHALL`: outside the table (DBSIZE,
    // FLUSHALL) an explicit empty first argument stays an argument, so it is refused as Redis does.
    if (spec === undefined && argv[1] === '') command = { name, key: '', args: argv.slice(1) };
    let shape: Shape = 'plain';
    // The protocol in force when the command was read: a HELLO pipelined behind it changes the
    // next replies, not this one (a forwarded HGETALL answered after a HELLO 3 came as a map).
    const resp3 = this.session.client.resp === 3;
    if (spec?.name === 'HGET' && argv.length === 3) {
      // Redis's HGET: one field, a bulk string or nil. gokv's several-field form stays a map.
      command = { name: 'HMGET', key: command.key, args: command.args };
      shape = 'first';
    } else if ((spec?.name === 'LPOP' || spec?.name === 'RPOP') && argv.length === 3) {
      shape = 'nilArray'; // with a count, a missing key is RESP2's null array
    } else if (spec?.name === 'HRANDFIELD' && argv.length === 4) {
      shape = 'pairs'; // WITHVALUES: [[f, v], ...] stays nested in RESP3, flat in RESP2
    }
    // Commands over the whole keyspace (SCAN, KEYS, DBSIZE, FLUSHALL) wait for every earlier
    // command of the connection, and hold back the later ones, as if run one at a time.
    const barrier = spec === undefined ? BARRIERS.has(asciiUpper(name)) : spec.flags.scan;
    const reads = spec === undefined ? !FLUSHES.has(asciiUpper(name)) : !spec.flags.write;
    // Bytes of this command counted while it waits its turn (KeyOrder): read in full, it has
    // left the parser, but until it runs its arguments are still held for the client.
    let waiting = 0;
    let started = false;
    const execute = (): Reply | Promise<Reply> => {
      started = true;
      if (waiting > 0) {
        this.waitingCommandBytes -= waiting;
        waiting = 0;
        this.countHeld();
      }
      // A read still waiting when its client went away has no one to answer and no effect: it
      // is not run (pipelined KEYS kept a node busy for minutes after their client had gone).
      // A write still runs, as Redis runs every command it has read.
      if (reads && this.closed) throw CLIENT_GONE;
      // A barrier (a whole KEYS, a SCAN page) starts only while the replies waiting unsent are
      // under OUTPUT_PAUSE_BYTES: its reply comes later, past the pipeline's own check, so
      // pipelined ones from a client that does not read would otherwise all run and wait here.
      if (barrier && this.unsentBytes >= OUTPUT_PAUSE_BYTES) return this.whenDrained().then(execute);
      return this.parts.service.execute(command);
    };
    let result: Reply | Promise<Reply>;
    if (this.order.idle) {
      result = execute();
    } else {
      result = this.order.run(barrier ? [] : keysOf(argv, spec), barrier, execute);
      if (!started) {
        waiting = heldArgBytes(argv);
        this.waitingCommandBytes += waiting;
        this.countHeld(); // may close this connection (limits.max_client_memory)
      }
    }
    if (result instanceof Promise) {
      // Registered with the order only when something may be waiting: the common sync path stays cheap.
      if (this.order.idle) this.order.run(barrier ? [] : keysOf(argv, spec), barrier, () => result);
      return result.then(
        (r) => this.render(r, shape, resp3),
        (err: unknown) => this.errorReply(err),
      );
    }
    return this.render(result, shape, resp3);
  }

  /**
   * A reply in RESP, or the error it becomes. Never throws: on the async path a throw here was
   * an unhandled rejection, which ended the process (an MGET of one 6 MB key 100 times made a
   * 600 MB reply, past V8's longest string, and took the node down).
   */
  private render(reply: Reply, shape: Shape, resp3: boolean): string {
    try {
      return toResp(reply, shape, resp3);
    } catch (err) {
      if (err instanceof RangeError) return error(REPLY_TOO_LONG);
      return this.errorReply(err);
    }
  }

  private errorReply(err: unknown): string {
    if (isGokvError(err) && err.code !== 'INTERNAL') return error(err.message);
    // A bug, not the client's doing: the detail goes to the log, never to the wire.
    this.parts.log.warn({ err }, 'resp command failed');
    return error('ERR internal error (see the node log)');
  }
}

/**
 * An HTTP request line or header read as an inline command. A web page can POST to a loopback
 * RESP port (no CORS preflight for text/plain) and the body's lines would run as inline commands;
 * Redis closes such a connection at `POST` or `Host:` (3.2.7+), and so does gokv.
 */
function looksLikeHttp(argv: readonly BinStr[]): boolean {
  const name = argv[0] === undefined ? '' : asciiUpper(argv[0]);
  return name === 'POST' || name === 'HOST:';
}

function toResp(reply: Reply, shape: Shape, resp3: boolean): string {
  if (shape === 'first' && Array.isArray(reply)) return replyToResp(reply[0] ?? null, resp3);
  if (shape === 'pairs' && !resp3) return flatPairsToResp(reply);
  const resp = replyToResp(reply, resp3);
  // Judged on the rendered reply: one forwarded from the key's leader arrives as MessagePack.
  if (shape === 'nilArray' && resp === NIL) return NIL_ARRAY;
  // A forwarded HMGET of one field: `*1\r\n` then the single item.
  return shape === 'first' ? resp.slice(resp.indexOf('\n') + 1) : resp;
}

/** What a parsed command's arguments cost in memory, as the parser counts them (heldBytes). */
function heldArgBytes(argv: readonly BinStr[]): number {
  let bytes = ARG_OVERHEAD_BYTES * argv.length;
  for (const arg of argv) bytes += arg.length;
  return bytes;
}

/** The keys a command touches, for ordering; unknown commands have none. */
function keysOf(argv: readonly BinStr[], spec: CommandSpec | undefined): BinStr[] {
  if (spec === undefined) return [];
  const flags = spec.flags;
  if (flags.scan || flags.keyless || argv.length < 2) return [];
  if (spec.subcommands !== undefined) {
    // OBJECT ENCODING key: the key after the subcommand, if it takes one.
    const key = routingKey(spec, { name: argv[0]!, key: argv[1]!, args: argv.slice(2) });
    return key === '' ? [] : [key];
  }
  if (flags.multiKey || flags.multiKeyArray) return argv.slice(1);
  if (flags.multiKeyPairs) return argv.filter((_, i) => i % 2 === 1);
  return [argv[1]!];
}
