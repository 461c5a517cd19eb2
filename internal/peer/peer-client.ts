import * as grpc from '@grpc/grpc-js';
import {
  decodeFetchKeysResponse,
  decodeFetchRangeResponse,
  decodeForwardReplyBatch,
  encodeForwardBatch,
  encodeRebalanceRequest,
  fromServiceError,
  loadProtos,
  type FetchKeysResponseMessage,
  type FetchRangeResponseMessage,
  type RebalanceRequestMessage,
} from '../wire/index.js';
import type { HeartbeatNode } from '../gen/internalpb/HeartbeatNode.js';
import type { HeartbeatNode__Output } from '../gen/internalpb/HeartbeatNode.js';
import type { InternalServerClient } from '../gen/internalpb/InternalServer.js';
import type { FetchKeysRequest } from '../gen/internalpb/FetchKeysRequest.js';
import type { FetchRangeRequest } from '../gen/internalpb/FetchRangeRequest.js';
import type { RebalanceResponse__Output } from '../gen/internalpb/RebalanceResponse.js';
import type { ScanRangeResponse__Output } from '../gen/internalpb/ScanRangeResponse.js';
import type { NodeStatsResponse__Output } from '../gen/internalpb/NodeStatsResponse.js';
import { CLUSTER_SETTINGS_METADATA } from '../config/index.js';
import { ForwardStream, type ForwardRequest } from './forward-stream.js';
import { TransportError } from './transport-error.js';

/** InternalServer's method definitions (path and proto-loader's codec of each message). */
const internalMethods = () => loadProtos().internal.internalpb.InternalServer.service;

export interface PeerClientOptions {
  /** Deadline of every internal call (messaging.message_timeout). */
  readonly timeoutMs: number;
  readonly maxMessageBytes: number;
  /** Commands per Forward batch at most. */
  readonly maxForwardBatch: number;
  /** This node's id and current incarnation, stamped on every Forward batch. */
  readonly origin?: () => { nodeId: string; incarnation: number };
  /** A channel connecting for longer is replaced (default: max(5 s, 2 x timeoutMs)). */
  readonly connectTimeoutMs?: number;
  /** This node's cluster settings (config/cluster-settings.ts), sent with every heartbeat. */
  readonly clusterSettings?: string;
}

/**
 * One gRPC channel to one peer's internal server, with keepalive and a short reconnect
 * backoff, a deadline on every call, and the long-lived Forward stream.
 */
export class PeerClient {
  private client: InternalServerClient;
  private readonly forwards: ForwardStream;
  private connectWatch: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly addr: string,
    private readonly credentials: grpc.ChannelCredentials,
    private readonly options: PeerClientOptions,
  ) {
    this.client = this.newClient();
    const { path } = internalMethods().Forward;
    // Forward's messages go through wire/forward-codec.ts (strings in, strings out).
    const openForward = () => this.client.makeBidiStreamRequest(path, encodeForwardBatch, decodeForwardReplyBatch);
    this.forwards = new ForwardStream(addr, openForward, {
      timeoutMs: options.timeoutMs,
      maxBatch: options.maxForwardBatch,
      maxBatchBytes: options.maxMessageBytes,
      origin: options.origin,
    });
  }

  heartbeat(fromNodeId: string, peers: HeartbeatNode[]): Promise<HeartbeatNode__Output[]> {
    const metadata = new grpc.Metadata();
    if (this.options.clusterSettings !== undefined) metadata.set(CLUSTER_SETTINGS_METADATA, this.options.clusterSettings);
    return new Promise((resolve, reject) => {
      this.client.Heartbeat(
        { fromNodeId, peers },
        metadata,
        { deadline: Date.now() + this.options.timeoutMs },
        (err, res) => {
          if (err || !res) reject(new TransportError(this.addr, err?.details || 'no response', { cause: err }));
          else resolve(res.peers);
        },
      );
    });
  }

  /**
   * One hand-off message; resolves with the receiver's answer, sent after it merged. Its deadline
   * is `timeoutMs` when given (a retry after a timeout asks for longer), else timeoutMs's option.
   */
  /** One hand-off message (wire/rebalance-codec.ts carries its key states). */
  rebalance(req: RebalanceRequestMessage, timeoutMs = this.options.timeoutMs): Promise<RebalanceResponse__Output> {
    const { path, responseDeserialize } = internalMethods().Rebalance;
    return new Promise((resolve, reject) => {
      const call = this.client.makeClientStreamRequest(
        path,
        encodeRebalanceRequest,
        responseDeserialize as (b: Buffer) => RebalanceResponse__Output,
        { deadline: Date.now() + timeoutMs },
        (err, res) => {
          if (err || !res) reject(this.callError(err));
          else resolve(res);
        },
      );
      call.write(req);
      call.end();
    });
  }

  fetchKeys(fromNodeId: string, keys: Buffer[], chain = 0): Promise<FetchKeysResponseMessage> {
    const { path, requestSerialize } = internalMethods().FetchKeys;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        path,
        requestSerialize as (req: FetchKeysRequest) => Buffer,
        decodeFetchKeysResponse,
        { fromNodeId, keys, chain },
        { deadline: Date.now() + this.options.timeoutMs },
        (err, res) => {
          if (err || !res) reject(this.callError(err));
          else resolve(res);
        },
      );
    });
  }

  scanRange(fromNodeId: string, from: number, to: number, args: Buffer[], chain = 0): Promise<ScanRangeResponse__Output> {
    return new Promise((resolve, reject) => {
      this.client.ScanRange({ fromNodeId, from, to, args, chain }, { deadline: Date.now() + this.options.timeoutMs }, (err, res) => {
        if (err || !res) reject(this.callError(err));
        else resolve(res);
      });
    });
  }

  fetchRange(fromNodeId: string, forNodeId: string, from: number, to: number, timeoutMs = this.options.timeoutMs): Promise<FetchRangeResponseMessage> {
    const { path, requestSerialize } = internalMethods().FetchRange;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        path,
        requestSerialize as (req: FetchRangeRequest) => Buffer,
        decodeFetchRangeResponse,
        { fromNodeId, forNodeId, from, to },
        { deadline: Date.now() + timeoutMs },
        (err, res) => {
          if (err || !res) reject(this.callError(err));
          else resolve(res);
        },
      );
    });
  }

  /** The peer's own figures (dashboard); `timeoutMs` is short: a slow peer is shown without them. */
  nodeStats(timeoutMs: number): Promise<NodeStatsResponse__Output> {
    return new Promise((resolve, reject) => {
      this.client.NodeStats({}, { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err || !res) reject(new TransportError(this.addr, err?.details || 'no response', { cause: err }));
        else resolve(res);
      });
    });
  }

  /** A failed call: the peer's GokvError when it sent one, else a transport error. */
  private callError(err: grpc.ServiceError | null): Error {
    return err ? fromServiceError(err) : new TransportError(this.addr, 'no response');
  }

  forward(req: ForwardRequest): Promise<Uint8Array> {
    return this.forwards.send(req);
  }

  /**
   * Opens an ordered replication stream to this peer (the replication module owns its life),
   * with the caller's codec for its messages (server/replicate-codec.ts in a node).
   */
  openReplicate<Batch, Ack>(
    serialize: (batch: Batch) => Buffer,
    deserialize: (bytes: Buffer) => Ack,
  ): grpc.ClientDuplexStream<Batch, Ack> {
    const { path } = internalMethods().Replicate;
    return this.client.makeBidiStreamRequest(path, serialize, deserialize);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.connectWatch);
    this.forwards.close();
    this.client.close();
  }

  private newClient(): InternalServerClient {
    const { internal } = loadProtos();
    const client = new internal.internalpb.InternalServer(this.addr, this.credentials, {
      'grpc.max_receive_message_length': this.options.maxMessageBytes,
      'grpc.max_send_message_length': this.options.maxMessageBytes,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1_000,
      'grpc.min_reconnect_backoff_ms': 100,
      // Our own connection, not one shared through grpc-js's global pool: a replacement channel
      // (below) must start a fresh connection rather than inherit the hung one.
      'grpc.use_local_subchannel_pool': 1,
    });
    this.watchConnecting(client);
    return client;
  }

  /**
   * grpc-js connects without a timeout, so a SYN lost to a partition waits on the kernel's
   * retransmissions (1, 2, 4 ... 64 s apart): after the network heals, the channel can stay
   * CONNECTING for tens of seconds. A channel CONNECTING for longer than `connectTimeoutMs` is
   * replaced by a new one, which dials at once; calls waiting on the old one fail as unavailable
   * and their owners retry as after any transport error.
   */
  private watchConnecting(client: InternalServerClient): void {
    const channel = client.getChannel();
    const limitMs = this.options.connectTimeoutMs ?? Math.max(5_000, 2 * this.options.timeoutMs);
    const onState = (): void => {
      if (this.closed || this.client !== client) return;
      const state = channel.getConnectivityState(false);
      clearTimeout(this.connectWatch);
      this.connectWatch = undefined;
      if (state === grpc.connectivityState.SHUTDOWN) return;
      if (state === grpc.connectivityState.CONNECTING) {
        this.connectWatch = setTimeout(() => {
          if (this.closed || this.client !== client || channel.getConnectivityState(false) !== grpc.connectivityState.CONNECTING) return;
          this.client = this.newClient();
          client.close();
        }, limitMs);
        this.connectWatch.unref();
      }
      channel.watchConnectivityState(state, Infinity, onState);
    };
    // Before the first call the channel is IDLE; the callback runs on every change after.
    channel.watchConnectivityState(channel.getConnectivityState(false), Infinity, onState);
  }
}
