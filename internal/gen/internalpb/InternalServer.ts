// Original file: proto/internalpb/internal.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CommandRequest as _commonpb_CommandRequest, CommandRequest__Output as _commonpb_CommandRequest__Output } from '../commonpb/CommandRequest.js';
import type { CommandResponse as _commonpb_CommandResponse, CommandResponse__Output as _commonpb_CommandResponse__Output } from '../commonpb/CommandResponse.js';
import type { FetchKeysRequest as _internalpb_FetchKeysRequest, FetchKeysRequest__Output as _internalpb_FetchKeysRequest__Output } from '../internalpb/FetchKeysRequest.js';
import type { FetchKeysResponse as _internalpb_FetchKeysResponse, FetchKeysResponse__Output as _internalpb_FetchKeysResponse__Output } from '../internalpb/FetchKeysResponse.js';
import type { FetchRangeRequest as _internalpb_FetchRangeRequest, FetchRangeRequest__Output as _internalpb_FetchRangeRequest__Output } from '../internalpb/FetchRangeRequest.js';
import type { FetchRangeResponse as _internalpb_FetchRangeResponse, FetchRangeResponse__Output as _internalpb_FetchRangeResponse__Output } from '../internalpb/FetchRangeResponse.js';
import type { ForwardBatch as _internalpb_ForwardBatch, ForwardBatch__Output as _internalpb_ForwardBatch__Output } from '../internalpb/ForwardBatch.js';
import type { ForwardReplyBatch as _internalpb_ForwardReplyBatch, ForwardReplyBatch__Output as _internalpb_ForwardReplyBatch__Output } from '../internalpb/ForwardReplyBatch.js';
import type { HeartbeatRequest as _internalpb_HeartbeatRequest, HeartbeatRequest__Output as _internalpb_HeartbeatRequest__Output } from '../internalpb/HeartbeatRequest.js';
import type { HeartbeatResponse as _internalpb_HeartbeatResponse, HeartbeatResponse__Output as _internalpb_HeartbeatResponse__Output } from '../internalpb/HeartbeatResponse.js';
import type { KeyDigestsRequest as _internalpb_KeyDigestsRequest, KeyDigestsRequest__Output as _internalpb_KeyDigestsRequest__Output } from '../internalpb/KeyDigestsRequest.js';
import type { KeyDigestsResponse as _internalpb_KeyDigestsResponse, KeyDigestsResponse__Output as _internalpb_KeyDigestsResponse__Output } from '../internalpb/KeyDigestsResponse.js';
import type { NodeStatsRequest as _internalpb_NodeStatsRequest, NodeStatsRequest__Output as _internalpb_NodeStatsRequest__Output } from '../internalpb/NodeStatsRequest.js';
import type { NodeStatsResponse as _internalpb_NodeStatsResponse, NodeStatsResponse__Output as _internalpb_NodeStatsResponse__Output } from '../internalpb/NodeStatsResponse.js';
import type { RebalanceRequest as _internalpb_RebalanceRequest, RebalanceRequest__Output as _internalpb_RebalanceRequest__Output } from '../internalpb/RebalanceRequest.js';
import type { RebalanceResponse as _internalpb_RebalanceResponse, RebalanceResponse__Output as _internalpb_RebalanceResponse__Output } from '../internalpb/RebalanceResponse.js';
import type { ReplicateAck as _internalpb_ReplicateAck, ReplicateAck__Output as _internalpb_ReplicateAck__Output } from '../internalpb/ReplicateAck.js';
import type { ReplicateBatch as _internalpb_ReplicateBatch, ReplicateBatch__Output as _internalpb_ReplicateBatch__Output } from '../internalpb/ReplicateBatch.js';
import type { ScanRangeRequest as _internalpb_ScanRangeRequest, ScanRangeRequest__Output as _internalpb_ScanRangeRequest__Output } from '../internalpb/ScanRangeRequest.js';
import type { ScanRangeResponse as _internalpb_ScanRangeResponse, ScanRangeResponse__Output as _internalpb_ScanRangeResponse__Output } from '../internalpb/ScanRangeResponse.js';

export interface InternalServerClient extends grpc.Client {
  FetchKeys(argument: _internalpb_FetchKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_FetchKeysResponse__Output>): grpc.ClientUnaryCall;
  FetchKeys(argument: _internalpb_FetchKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_FetchKeysResponse__Output>): grpc.ClientUnaryCall;
  FetchKeys(argument: _internalpb_FetchKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_FetchKeysResponse__Output>): grpc.ClientUnaryCall;
  FetchKeys(argument: _internalpb_FetchKeysRequest, callback: grpc.requestCallback<_internalpb_FetchKeysResponse__Output>): grpc.ClientUnaryCall;
  fetchKeys(argument: _internalpb_FetchKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_FetchKeysResponse__Output>): grpc.ClientUnaryCall;
  fetchKeys(argument: _internalpb_FetchKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_FetchKeysResponse__Output>): grpc.ClientUnaryCall;
  fetchKeys(argument: _internalpb_FetchKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_FetchKeysResponse__Output>): grpc.ClientUnaryCall;
  fetchKeys(argument: _internalpb_FetchKeysRequest, callback: grpc.requestCallback<_internalpb_FetchKeysResponse__Output>): grpc.ClientUnaryCall;
  
  FetchRange(argument: _internalpb_FetchRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_FetchRangeResponse__Output>): grpc.ClientUnaryCall;
  FetchRange(argument: _internalpb_FetchRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_FetchRangeResponse__Output>): grpc.ClientUnaryCall;
  FetchRange(argument: _internalpb_FetchRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_FetchRangeResponse__Output>): grpc.ClientUnaryCall;
  FetchRange(argument: _internalpb_FetchRangeRequest, callback: grpc.requestCallback<_internalpb_FetchRangeResponse__Output>): grpc.ClientUnaryCall;
  fetchRange(argument: _internalpb_FetchRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_FetchRangeResponse__Output>): grpc.ClientUnaryCall;
  fetchRange(argument: _internalpb_FetchRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_FetchRangeResponse__Output>): grpc.ClientUnaryCall;
  fetchRange(argument: _internalpb_FetchRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_FetchRangeResponse__Output>): grpc.ClientUnaryCall;
  fetchRange(argument: _internalpb_FetchRangeRequest, callback: grpc.requestCallback<_internalpb_FetchRangeResponse__Output>): grpc.ClientUnaryCall;
  
  Forward(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_internalpb_ForwardBatch, _internalpb_ForwardReplyBatch__Output>;
  Forward(options?: grpc.CallOptions): grpc.ClientDuplexStream<_internalpb_ForwardBatch, _internalpb_ForwardReplyBatch__Output>;
  forward(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_internalpb_ForwardBatch, _internalpb_ForwardReplyBatch__Output>;
  forward(options?: grpc.CallOptions): grpc.ClientDuplexStream<_internalpb_ForwardBatch, _internalpb_ForwardReplyBatch__Output>;
  
  ForwardCommand(argument: _commonpb_CommandRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  ForwardCommand(argument: _commonpb_CommandRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  ForwardCommand(argument: _commonpb_CommandRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  ForwardCommand(argument: _commonpb_CommandRequest, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  forwardCommand(argument: _commonpb_CommandRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  forwardCommand(argument: _commonpb_CommandRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  forwardCommand(argument: _commonpb_CommandRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  forwardCommand(argument: _commonpb_CommandRequest, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  
  Heartbeat(argument: _internalpb_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _internalpb_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _internalpb_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _internalpb_HeartbeatRequest, callback: grpc.requestCallback<_internalpb_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _internalpb_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _internalpb_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _internalpb_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _internalpb_HeartbeatRequest, callback: grpc.requestCallback<_internalpb_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  KeyDigests(argument: _internalpb_KeyDigestsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_KeyDigestsResponse__Output>): grpc.ClientUnaryCall;
  KeyDigests(argument: _internalpb_KeyDigestsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_KeyDigestsResponse__Output>): grpc.ClientUnaryCall;
  KeyDigests(argument: _internalpb_KeyDigestsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_KeyDigestsResponse__Output>): grpc.ClientUnaryCall;
  KeyDigests(argument: _internalpb_KeyDigestsRequest, callback: grpc.requestCallback<_internalpb_KeyDigestsResponse__Output>): grpc.ClientUnaryCall;
  keyDigests(argument: _internalpb_KeyDigestsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_KeyDigestsResponse__Output>): grpc.ClientUnaryCall;
  keyDigests(argument: _internalpb_KeyDigestsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_KeyDigestsResponse__Output>): grpc.ClientUnaryCall;
  keyDigests(argument: _internalpb_KeyDigestsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_KeyDigestsResponse__Output>): grpc.ClientUnaryCall;
  keyDigests(argument: _internalpb_KeyDigestsRequest, callback: grpc.requestCallback<_internalpb_KeyDigestsResponse__Output>): grpc.ClientUnaryCall;
  
  NodeStats(argument: _internalpb_NodeStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_NodeStatsResponse__Output>): grpc.ClientUnaryCall;
  NodeStats(argument: _internalpb_NodeStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_NodeStatsResponse__Output>): grpc.ClientUnaryCall;
  NodeStats(argument: _internalpb_NodeStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_NodeStatsResponse__Output>): grpc.ClientUnaryCall;
  NodeStats(argument: _internalpb_NodeStatsRequest, callback: grpc.requestCallback<_internalpb_NodeStatsResponse__Output>): grpc.ClientUnaryCall;
  nodeStats(argument: _internalpb_NodeStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_NodeStatsResponse__Output>): grpc.ClientUnaryCall;
  nodeStats(argument: _internalpb_NodeStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_NodeStatsResponse__Output>): grpc.ClientUnaryCall;
  nodeStats(argument: _internalpb_NodeStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_NodeStatsResponse__Output>): grpc.ClientUnaryCall;
  nodeStats(argument: _internalpb_NodeStatsRequest, callback: grpc.requestCallback<_internalpb_NodeStatsResponse__Output>): grpc.ClientUnaryCall;
  
  Rebalance(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_RebalanceResponse__Output>): grpc.ClientWritableStream<_internalpb_RebalanceRequest>;
  Rebalance(metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_RebalanceResponse__Output>): grpc.ClientWritableStream<_internalpb_RebalanceRequest>;
  Rebalance(options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_RebalanceResponse__Output>): grpc.ClientWritableStream<_internalpb_RebalanceRequest>;
  Rebalance(callback: grpc.requestCallback<_internalpb_RebalanceResponse__Output>): grpc.ClientWritableStream<_internalpb_RebalanceRequest>;
  rebalance(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_RebalanceResponse__Output>): grpc.ClientWritableStream<_internalpb_RebalanceRequest>;
  rebalance(metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_RebalanceResponse__Output>): grpc.ClientWritableStream<_internalpb_RebalanceRequest>;
  rebalance(options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_RebalanceResponse__Output>): grpc.ClientWritableStream<_internalpb_RebalanceRequest>;
  rebalance(callback: grpc.requestCallback<_internalpb_RebalanceResponse__Output>): grpc.ClientWritableStream<_internalpb_RebalanceRequest>;
  
  Replicate(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_internalpb_ReplicateBatch, _internalpb_ReplicateAck__Output>;
  Replicate(options?: grpc.CallOptions): grpc.ClientDuplexStream<_internalpb_ReplicateBatch, _internalpb_ReplicateAck__Output>;
  replicate(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_internalpb_ReplicateBatch, _internalpb_ReplicateAck__Output>;
  replicate(options?: grpc.CallOptions): grpc.ClientDuplexStream<_internalpb_ReplicateBatch, _internalpb_ReplicateAck__Output>;
  
  ScanRange(argument: _internalpb_ScanRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_ScanRangeResponse__Output>): grpc.ClientUnaryCall;
  ScanRange(argument: _internalpb_ScanRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_ScanRangeResponse__Output>): grpc.ClientUnaryCall;
  ScanRange(argument: _internalpb_ScanRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_ScanRangeResponse__Output>): grpc.ClientUnaryCall;
  ScanRange(argument: _internalpb_ScanRangeRequest, callback: grpc.requestCallback<_internalpb_ScanRangeResponse__Output>): grpc.ClientUnaryCall;
  scanRange(argument: _internalpb_ScanRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_ScanRangeResponse__Output>): grpc.ClientUnaryCall;
  scanRange(argument: _internalpb_ScanRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_internalpb_ScanRangeResponse__Output>): grpc.ClientUnaryCall;
  scanRange(argument: _internalpb_ScanRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_internalpb_ScanRangeResponse__Output>): grpc.ClientUnaryCall;
  scanRange(argument: _internalpb_ScanRangeRequest, callback: grpc.requestCallback<_internalpb_ScanRangeResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface InternalServerHandlers extends grpc.UntypedServiceImplementation {
  FetchKeys: grpc.handleUnaryCall<_internalpb_FetchKeysRequest__Output, _internalpb_FetchKeysResponse>;
  
  FetchRange: grpc.handleUnaryCall<_internalpb_FetchRangeRequest__Output, _internalpb_FetchRangeResponse>;
  
  Forward: grpc.handleBidiStreamingCall<_internalpb_ForwardBatch__Output, _internalpb_ForwardReplyBatch>;
  
  ForwardCommand: grpc.handleUnaryCall<_commonpb_CommandRequest__Output, _commonpb_CommandResponse>;
  
  Heartbeat: grpc.handleUnaryCall<_internalpb_HeartbeatRequest__Output, _internalpb_HeartbeatResponse>;
  
  KeyDigests: grpc.handleUnaryCall<_internalpb_KeyDigestsRequest__Output, _internalpb_KeyDigestsResponse>;
  
  NodeStats: grpc.handleUnaryCall<_internalpb_NodeStatsRequest__Output, _internalpb_NodeStatsResponse>;
  
  Rebalance: grpc.handleClientStreamingCall<_internalpb_RebalanceRequest__Output, _internalpb_RebalanceResponse>;
  
  Replicate: grpc.handleBidiStreamingCall<_internalpb_ReplicateBatch__Output, _internalpb_ReplicateAck>;
  
  ScanRange: grpc.handleUnaryCall<_internalpb_ScanRangeRequest__Output, _internalpb_ScanRangeResponse>;
  
}

export interface InternalServerDefinition extends grpc.ServiceDefinition {
  FetchKeys: MethodDefinition<_internalpb_FetchKeysRequest, _internalpb_FetchKeysResponse, _internalpb_FetchKeysRequest__Output, _internalpb_FetchKeysResponse__Output>
  FetchRange: MethodDefinition<_internalpb_FetchRangeRequest, _internalpb_FetchRangeResponse, _internalpb_FetchRangeRequest__Output, _internalpb_FetchRangeResponse__Output>
  Forward: MethodDefinition<_internalpb_ForwardBatch, _internalpb_ForwardReplyBatch, _internalpb_ForwardBatch__Output, _internalpb_ForwardReplyBatch__Output>
  ForwardCommand: MethodDefinition<_commonpb_CommandRequest, _commonpb_CommandResponse, _commonpb_CommandRequest__Output, _commonpb_CommandResponse__Output>
  Heartbeat: MethodDefinition<_internalpb_HeartbeatRequest, _internalpb_HeartbeatResponse, _internalpb_HeartbeatRequest__Output, _internalpb_HeartbeatResponse__Output>
  KeyDigests: MethodDefinition<_internalpb_KeyDigestsRequest, _internalpb_KeyDigestsResponse, _internalpb_KeyDigestsRequest__Output, _internalpb_KeyDigestsResponse__Output>
  NodeStats: MethodDefinition<_internalpb_NodeStatsRequest, _internalpb_NodeStatsResponse, _internalpb_NodeStatsRequest__Output, _internalpb_NodeStatsResponse__Output>
  Rebalance: MethodDefinition<_internalpb_RebalanceRequest, _internalpb_RebalanceResponse, _internalpb_RebalanceRequest__Output, _internalpb_RebalanceResponse__Output>
  Replicate: MethodDefinition<_internalpb_ReplicateBatch, _internalpb_ReplicateAck, _internalpb_ReplicateBatch__Output, _internalpb_ReplicateAck__Output>
  ScanRange: MethodDefinition<_internalpb_ScanRangeRequest, _internalpb_ScanRangeResponse, _internalpb_ScanRangeRequest__Output, _internalpb_ScanRangeResponse__Output>
}
