import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CommandRequest as _commonpb_CommandRequest, CommandRequest__Output as _commonpb_CommandRequest__Output } from './commonpb/CommandRequest.js';
import type { CommandResponse as _commonpb_CommandResponse, CommandResponse__Output as _commonpb_CommandResponse__Output } from './commonpb/CommandResponse.js';
import type { FetchKeysRequest as _internalpb_FetchKeysRequest, FetchKeysRequest__Output as _internalpb_FetchKeysRequest__Output } from './internalpb/FetchKeysRequest.js';
import type { FetchKeysResponse as _internalpb_FetchKeysResponse, FetchKeysResponse__Output as _internalpb_FetchKeysResponse__Output } from './internalpb/FetchKeysResponse.js';
import type { FetchRangeRequest as _internalpb_FetchRangeRequest, FetchRangeRequest__Output as _internalpb_FetchRangeRequest__Output } from './internalpb/FetchRangeRequest.js';
import type { FetchRangeResponse as _internalpb_FetchRangeResponse, FetchRangeResponse__Output as _internalpb_FetchRangeResponse__Output } from './internalpb/FetchRangeResponse.js';
import type { ForwardBatch as _internalpb_ForwardBatch, ForwardBatch__Output as _internalpb_ForwardBatch__Output } from './internalpb/ForwardBatch.js';
import type { ForwardReply as _internalpb_ForwardReply, ForwardReply__Output as _internalpb_ForwardReply__Output } from './internalpb/ForwardReply.js';
import type { ForwardReplyBatch as _internalpb_ForwardReplyBatch, ForwardReplyBatch__Output as _internalpb_ForwardReplyBatch__Output } from './internalpb/ForwardReplyBatch.js';
import type { ForwardedCommand as _internalpb_ForwardedCommand, ForwardedCommand__Output as _internalpb_ForwardedCommand__Output } from './internalpb/ForwardedCommand.js';
import type { HandOffStats as _internalpb_HandOffStats, HandOffStats__Output as _internalpb_HandOffStats__Output } from './internalpb/HandOffStats.js';
import type { HandedArc as _internalpb_HandedArc, HandedArc__Output as _internalpb_HandedArc__Output } from './internalpb/HandedArc.js';
import type { HeartbeatNode as _internalpb_HeartbeatNode, HeartbeatNode__Output as _internalpb_HeartbeatNode__Output } from './internalpb/HeartbeatNode.js';
import type { HeartbeatRequest as _internalpb_HeartbeatRequest, HeartbeatRequest__Output as _internalpb_HeartbeatRequest__Output } from './internalpb/HeartbeatRequest.js';
import type { HeartbeatResponse as _internalpb_HeartbeatResponse, HeartbeatResponse__Output as _internalpb_HeartbeatResponse__Output } from './internalpb/HeartbeatResponse.js';
import type { InternalServerClient as _internalpb_InternalServerClient, InternalServerDefinition as _internalpb_InternalServerDefinition } from './internalpb/InternalServer.js';
import type { KeyDigest as _internalpb_KeyDigest, KeyDigest__Output as _internalpb_KeyDigest__Output } from './internalpb/KeyDigest.js';
import type { KeyDigestEntry as _internalpb_KeyDigestEntry, KeyDigestEntry__Output as _internalpb_KeyDigestEntry__Output } from './internalpb/KeyDigestEntry.js';
import type { KeyDigestsRequest as _internalpb_KeyDigestsRequest, KeyDigestsRequest__Output as _internalpb_KeyDigestsRequest__Output } from './internalpb/KeyDigestsRequest.js';
import type { KeyDigestsResponse as _internalpb_KeyDigestsResponse, KeyDigestsResponse__Output as _internalpb_KeyDigestsResponse__Output } from './internalpb/KeyDigestsResponse.js';
import type { KeyState as _internalpb_KeyState, KeyState__Output as _internalpb_KeyState__Output } from './internalpb/KeyState.js';
import type { NodeStatsRequest as _internalpb_NodeStatsRequest, NodeStatsRequest__Output as _internalpb_NodeStatsRequest__Output } from './internalpb/NodeStatsRequest.js';
import type { NodeStatsResponse as _internalpb_NodeStatsResponse, NodeStatsResponse__Output as _internalpb_NodeStatsResponse__Output } from './internalpb/NodeStatsResponse.js';
import type { RebalanceRequest as _internalpb_RebalanceRequest, RebalanceRequest__Output as _internalpb_RebalanceRequest__Output } from './internalpb/RebalanceRequest.js';
import type { RebalanceResponse as _internalpb_RebalanceResponse, RebalanceResponse__Output as _internalpb_RebalanceResponse__Output } from './internalpb/RebalanceResponse.js';
import type { ReplicateAck as _internalpb_ReplicateAck, ReplicateAck__Output as _internalpb_ReplicateAck__Output } from './internalpb/ReplicateAck.js';
import type { ReplicateBatch as _internalpb_ReplicateBatch, ReplicateBatch__Output as _internalpb_ReplicateBatch__Output } from './internalpb/ReplicateBatch.js';
import type { ReplicateOp as _internalpb_ReplicateOp, ReplicateOp__Output as _internalpb_ReplicateOp__Output } from './internalpb/ReplicateOp.js';
import type { ScanRangeRequest as _internalpb_ScanRangeRequest, ScanRangeRequest__Output as _internalpb_ScanRangeRequest__Output } from './internalpb/ScanRangeRequest.js';
import type { ScanRangeResponse as _internalpb_ScanRangeResponse, ScanRangeResponse__Output as _internalpb_ScanRangeResponse__Output } from './internalpb/ScanRangeResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  commonpb: {
    CommandRequest: MessageTypeDefinition<_commonpb_CommandRequest, _commonpb_CommandRequest__Output>
    CommandResponse: MessageTypeDefinition<_commonpb_CommandResponse, _commonpb_CommandResponse__Output>
  }
  internalpb: {
    FetchKeysRequest: MessageTypeDefinition<_internalpb_FetchKeysRequest, _internalpb_FetchKeysRequest__Output>
    FetchKeysResponse: MessageTypeDefinition<_internalpb_FetchKeysResponse, _internalpb_FetchKeysResponse__Output>
    FetchRangeRequest: MessageTypeDefinition<_internalpb_FetchRangeRequest, _internalpb_FetchRangeRequest__Output>
    FetchRangeResponse: MessageTypeDefinition<_internalpb_FetchRangeResponse, _internalpb_FetchRangeResponse__Output>
    ForwardBatch: MessageTypeDefinition<_internalpb_ForwardBatch, _internalpb_ForwardBatch__Output>
    ForwardReply: MessageTypeDefinition<_internalpb_ForwardReply, _internalpb_ForwardReply__Output>
    ForwardReplyBatch: MessageTypeDefinition<_internalpb_ForwardReplyBatch, _internalpb_ForwardReplyBatch__Output>
    ForwardedCommand: MessageTypeDefinition<_internalpb_ForwardedCommand, _internalpb_ForwardedCommand__Output>
    HandOffStats: MessageTypeDefinition<_internalpb_HandOffStats, _internalpb_HandOffStats__Output>
    HandedArc: MessageTypeDefinition<_internalpb_HandedArc, _internalpb_HandedArc__Output>
    HeartbeatNode: MessageTypeDefinition<_internalpb_HeartbeatNode, _internalpb_HeartbeatNode__Output>
    HeartbeatRequest: MessageTypeDefinition<_internalpb_HeartbeatRequest, _internalpb_HeartbeatRequest__Output>
    HeartbeatResponse: MessageTypeDefinition<_internalpb_HeartbeatResponse, _internalpb_HeartbeatResponse__Output>
    InternalServer: SubtypeConstructor<typeof grpc.Client, _internalpb_InternalServerClient> & { service: _internalpb_InternalServerDefinition }
    KeyDigest: MessageTypeDefinition<_internalpb_KeyDigest, _internalpb_KeyDigest__Output>
    KeyDigestEntry: MessageTypeDefinition<_internalpb_KeyDigestEntry, _internalpb_KeyDigestEntry__Output>
    KeyDigestsRequest: MessageTypeDefinition<_internalpb_KeyDigestsRequest, _internalpb_KeyDigestsRequest__Output>
    KeyDigestsResponse: MessageTypeDefinition<_internalpb_KeyDigestsResponse, _internalpb_KeyDigestsResponse__Output>
    KeyState: MessageTypeDefinition<_internalpb_KeyState, _internalpb_KeyState__Output>
    NodeStatsRequest: MessageTypeDefinition<_internalpb_NodeStatsRequest, _internalpb_NodeStatsRequest__Output>
    NodeStatsResponse: MessageTypeDefinition<_internalpb_NodeStatsResponse, _internalpb_NodeStatsResponse__Output>
    RebalanceRequest: MessageTypeDefinition<_internalpb_RebalanceRequest, _internalpb_RebalanceRequest__Output>
    RebalanceResponse: MessageTypeDefinition<_internalpb_RebalanceResponse, _internalpb_RebalanceResponse__Output>
    ReplicateAck: MessageTypeDefinition<_internalpb_ReplicateAck, _internalpb_ReplicateAck__Output>
    ReplicateBatch: MessageTypeDefinition<_internalpb_ReplicateBatch, _internalpb_ReplicateBatch__Output>
    ReplicateOp: MessageTypeDefinition<_internalpb_ReplicateOp, _internalpb_ReplicateOp__Output>
    ScanRangeRequest: MessageTypeDefinition<_internalpb_ScanRangeRequest, _internalpb_ScanRangeRequest__Output>
    ScanRangeResponse: MessageTypeDefinition<_internalpb_ScanRangeResponse, _internalpb_ScanRangeResponse__Output>
  }
}

