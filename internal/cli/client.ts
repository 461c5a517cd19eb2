import * as grpc from '@grpc/grpc-js';
import type { ExternalServerClient } from '../gen/externalpb/ExternalServer.js';
import type { HealthcheckResponse__Output } from '../gen/externalpb/HealthcheckResponse.js';
import { decodeReply, loadProtos, type DecodedReply } from '../wire/index.js';
import { CallFailure, classifyCallError, diagnoseTls, otherProtocolFailure, type CallContext } from './call-errors.js';
import type { OtherProtocol } from './protocol-probe.js';

/** First pause after an UNAVAILABLE answer; doubles per attempt up to RETRY_MAX_MS. */
export const RETRY_BASE_MS = 50;
export const RETRY_MAX_MS = 800;
/**
 * How long a node that has never answered is retried, whatever the call's deadline: a snapshot
 * may take its 120 s once running, but a node that refuses connections is reported in seconds.
 */
export const UNREACHED_GIVE_UP_MS = 5000;
/** Below this much time left before the deadline, another attempt is not worth starting. */
const MIN_ATTEMPT_MS = 10;
/** Replies (HGETALL of a big hash) may exceed gRPC's 4 MiB default. */
const MAX_RECEIVE_BYTES = 512 * 1024 * 1024;

/** One command as it goes on the wire: args are bytes, the key is text (a proto string). */
export interface CommandCall {
  command: string;
  key: string;
  args: Buffer[];
}

export interface CliClient {
  /**
   * RunCommand; throws CallFailure. Aborting `signal` (Ctrl-C at the prompt) cancels the call in
   * flight and any further attempt: it fails at once as a connection failure.
   */
  run(call: CommandCall, signal?: AbortSignal): Promise<DecodedReply>;
  /** Healthcheck; throws CallFailure. */
  healthcheck(): Promise<HealthcheckResponse__Output>;
  close(): void;
}

export interface ClientSettings extends CallContext {
  credentials: grpc.ChannelCredentials;
  /** A bare TLS handshake's error, asked once when a TLS connection fails without a reason. */
  tlsProbe?: () => Promise<string | undefined>;
  /** Which other protocol answers, asked once when the port does not speak gRPC. */
  protocolProbe?: () => Promise<OtherProtocol | undefined>;
}

/** Waits, or less once `signal` aborts; injectable so retry tests need no timers. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A pause between retries that Ctrl-C cuts short (the call is then cancelled at once). */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    if (signal?.aborted === true) done();
  });

/**
 * A gRPC client of ExternalServer. Each call has one deadline (`timeoutMs` from its start) that
 * covers every attempt: UNAVAILABLE is retried with a doubling pause while time remains;
 * nothing else is retried.
 */
export function createCliClient(settings: ClientSettings, sleep: Sleep = realSleep): CliClient {
  const { ExternalServer } = loadProtos().external.externalpb;
  const stub: ExternalServerClient = new ExternalServer(settings.uri, settings.credentials, {
    'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
  });

  async function withRetry<T>(attempt: (deadline: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const cancelled = () => new CallFailure('connection', `call to ${settings.uri} cancelled: the command may or may not have been applied`);
    const aborted = () => signal?.aborted === true;
    const started = Date.now();
    const deadline = started + settings.timeoutMs;
    let unavailable: CallFailure | undefined;
    let reached = false;
    let probed = false;
    await connectedBy(Math.min(deadline, started + UNREACHED_GIVE_UP_MS), started, signal);
    for (let n = 0; ; n++) {
      if (aborted()) throw cancelled();
      try {
        return await attempt(deadline);
      } catch (err) {
        if (aborted()) throw cancelled();
        const connected = stub.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
        reached ||= connected;
        const { failure, retryable, notGrpc } = classifyCallError(err, { ...settings, connected });
        if (notGrpc === true && settings.protocolProbe !== undefined) {
          const protocol = await settings.protocolProbe();
          if (protocol !== undefined) throw otherProtocolFailure(settings.uri, protocol);
        }
        // A last attempt cut by the deadline says less than the UNAVAILABLE that preceded it.
        if (!retryable) throw failure.kind === 'connection' && unavailable !== undefined ? unavailable : failure;
        unavailable = failure;
        if (!reached && !probed && failure.kind === 'connection' && settings.tlsProbe !== undefined) {
          // grpc-js says only "Failed to connect" when the server refuses our certificate.
          probed = true;
          const reason = await settings.tlsProbe();
          const tls = reason === undefined ? undefined : diagnoseTls(reason, settings);
          if (tls !== undefined) throw new CallFailure('connection', `TLS error talking to ${settings.uri}: ${tls} (${reason})`);
        }
        const left = deadline - Date.now();
        if (left < MIN_ATTEMPT_MS * 2) throw failure;
        if (!reached && failure.kind === 'connection' && Date.now() - started >= UNREACHED_GIVE_UP_MS) throw failure;
        await sleep(Math.min(RETRY_BASE_MS * 2 ** n, RETRY_MAX_MS, left - MIN_ATTEMPT_MS), signal);
      }
    }
  }

  /**
   * Resolves once the channel is READY, or has failed to connect (the attempt then says why:
   * refused, TLS). Throws if it is still connecting at `giveUpAt`: a node that accepts TCP but
   * never speaks (stopped, hung) is given up on as soon as one that refuses, not at the deadline.
   */
  function connectedBy(giveUpAt: number, started: number, signal?: AbortSignal): Promise<void> {
    const channel = stub.getChannel();
    const { READY, TRANSIENT_FAILURE, SHUTDOWN } = grpc.connectivityState;
    return new Promise((resolve, reject) => {
      // The attempt that follows reports the cancellation.
      signal?.addEventListener('abort', () => resolve(), { once: true });
      const check = (): void => {
        const state = channel.getConnectivityState(true);
        if (state === READY || state === TRANSIENT_FAILURE || state === SHUTDOWN) return resolve();
        channel.watchConnectivityState(state, giveUpAt, (err) => {
          if (err === undefined) return check();
          reject(new CallFailure('connection', `could not connect to ${settings.uri} within ${giveUpAt - started} ms`));
        });
      };
      check();
    });
  }

  return {
    run: (call, signal) =>
      withRetry(
        (deadline) =>
          new Promise<DecodedReply>((resolve, reject) => {
            const cancel = () => pending.cancel();
            const pending = stub.RunCommand(call, { deadline }, (err, res) => {
              signal?.removeEventListener('abort', cancel);
              if (err) return reject(err);
              try {
                resolve(res ? decodeReply(res.response) : null);
              } catch (decodeErr) {
                reject(decodeErr);
              }
            });
            signal?.addEventListener('abort', cancel, { once: true });
          }),
        signal,
      ),
    healthcheck: () =>
      withRetry(
        (deadline) =>
          new Promise<HealthcheckResponse__Output>((resolve, reject) => {
            stub.Healthcheck({}, { deadline }, (err, res) => (err ? reject(err) : resolve(res ?? { peers: [], ringVersion: '0' })));
          }),
      ),
    close: () => stub.close(),
  };
}
